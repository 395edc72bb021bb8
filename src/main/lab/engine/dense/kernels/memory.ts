/**
 * The memory the dense kernels work in: one WebAssembly.Memory that every buffer of an engine
 * (weights, gradients, optimizer state, activations) is carved from, so a kernel call passes
 * byte offsets and copies nothing. The memory is shared: growing a shared memory keeps every
 * earlier view valid (an unshared one detaches them all), so a layer can hold plain
 * Float32Arrays for the engine's life and the kernels find their offsets from them.
 */
import { labError } from '../../../../../shared/errors'
import { webAssembly, type WasmMemory } from './wasmApi'

const PAGE = 65_536
/** 2 GiB: address space only, reserved up front as a shared memory must be; pages are committed as it grows */
export const MAX_PAGES = 32_768
/** buffers start on 16 bytes and are zero-padded to a multiple of four floats (kernels.wat relies on it) */
const ALIGN = 16

export class F32Block {
  constructor(
    private readonly owner: KernelMemory,
    /** byte offset in the memory */
    readonly ptr: number,
    readonly length: number,
    /** a view of the buffer, valid for the memory's life */
    readonly array: Float32Array,
  ) {}

  belongsTo(memory: KernelMemory): boolean {
    return this.owner === memory
  }
}

export class KernelMemory {
  readonly memory: WasmMemory = new webAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true })
  private top = 0
  /** the memory's bytes as last read: growing only adds, so less is always there */
  private size = 0
  /** the block behind each view alloc() handed out, for callers that hold only the view */
  private readonly blocks = new Map<Float32Array, F32Block>()

  /** a zeroed buffer of `length` floats */
  alloc(length: number): F32Block {
    const ptr = this.top
    const end = this.reach(length)
    const buffer = this.memory.buffer
    new Uint8Array(buffer, ptr, end - ptr).fill(0)
    this.top = end
    const block = new F32Block(this, ptr, length, new Float32Array(buffer, ptr, length))
    this.blocks.set(block.array, block)
    return block
  }

  /**
   * the byte offset of room for `length` floats above every buffer, for one kernel call's
   * working copy: not zeroed, not a buffer, overwritten by the next alloc (no view is made, and
   * reading a shared memory's buffer costs an object each time)
   */
  scratch(length: number): number {
    this.reach(length)
    return this.top
  }

  /** where `length` floats from the top end, the memory grown to hold them */
  private reach(length: number): number {
    const end = this.top + Math.ceil((length * 4) / ALIGN) * ALIGN
    if (end <= this.size) return end
    const size = this.memory.buffer.byteLength
    if (end > size) {
      // at least double, so a growing batch grows the memory a few times, not every step
      const pages = Math.min(Math.max(Math.ceil((end - size) / PAGE), size / PAGE), MAX_PAGES - size / PAGE)
      try {
        this.memory.grow(pages)
      } catch {
        throw labError('ENGINE_FAILED', `The dense engine could not get ${Math.ceil(end / 2 ** 20)} MB for its buffers. Use a smaller batch size or a smaller model.`)
      }
    }
    this.size = this.memory.buffer.byteLength
    return end
  }

  /** the block a view from alloc() belongs to, or null for any other array */
  blockOf(array: Float32Array): F32Block | null {
    return this.blocks.get(array) ?? null
  }

  /** where the next buffer will start: release(mark) frees everything allocated after it */
  mark(): number {
    return this.top
  }

  /** frees every buffer allocated since mark(); they must not be used again */
  release(mark: number): void {
    for (const [array, block] of this.blocks) if (block.ptr >= mark) this.blocks.delete(array)
    this.top = mark
  }
}
