/**
 * CRC-32 as zip records carry it: zlib.crc32's value, bit for bit, about four times faster on
 * long inputs. Node's zlib.crc32 runs zlib's table method (its build has no carry-less-multiply
 * path), about 5 GB/s: checking a 100 MB .pth took longer than torch takes to read it. The
 * WebAssembly kernel (crc32.wat, Chorba's method) sweeps all but the last 119 KB with XORs, 16
 * bytes at a time, and zlib checksums what the sweep leaves.
 *
 * Bytes already in memory are copied through the kernel's stage, a piece at a time: from main
 * memory that is faster than sweeping them where they lie. Bytes a file read is putting into a
 * checksummed area (the parse worker reads each .pth into one) can be followed instead, each
 * part swept in place right after it is read, while it is in the cache.
 */
import { crc32 as zlibCrc32 } from 'node:zlib'
import { webAssembly, type WasmMemory } from '../../engine/dense/kernels/wasmApi'
import { CRC32_WASM_BASE64 } from './binary.generated'

const PAGE = 65_536
/** the near terms' distances in words, and the far term's, with the ring that keeps the swept words for it (crc32.wat) */
const NEAR = [14, 22, 44]
const FAR = 29_740
const RING_WORDS = 32_768
/** the kernel sweeps this many words a turn: every sweep starts and ends on a multiple */
const TURN = 44
/** the words the sweep leaves (FAR to FAR + TURN - 1), with their terms from the swept ones, for zlib; fold may write three past them */
const TAIL = RING_WORDS * 4
const STAGE = TAIL + (FAR + TURN) * 4
const STAGE_WORDS = TURN * 372
/** where a checksummed area starts, on a cache line */
const AREA = Math.ceil((STAGE + STAGE_WORDS * 4) / 64) * 64
/** shorter inputs go to zlib whole: the sweep would leave it most of them */
const SHORTEST = 2 * FAR * 4

interface Exports {
  push(src: number, k: number, end: number): void
  fold(dst: number, from: number, count: number): void
}

let compiled: object | null | undefined

/** the kernel's module, compiled once per thread; null where WebAssembly SIMD cannot run (zlib does it all then) */
function kernelModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new webAssembly.Module(Buffer.from(CRC32_WASM_BASE64, 'base64'))
    } catch {
      compiled = null
    }
  }
  return compiled
}

class Crc32Kernel {
  readonly words: Int32Array
  readonly bytes: Uint8Array

  readonly push: Exports['push']
  readonly fold: Exports['fold']

  constructor(
    readonly memory: WasmMemory,
    exports: Exports,
  ) {
    this.words = new Int32Array(memory.buffer)
    this.bytes = new Uint8Array(memory.buffer)
    this.push = exports.push
    this.fold = exports.fold
  }

  area(size: number): Uint8Array {
    return this.bytes.subarray(AREA, AREA + size)
  }

  /** bytes anywhere, copied through the stage: from main memory that is faster than sweeping them where they lie */
  crc(input: Uint8Array, value: number): number {
    const sweep = new Sweep(this, input, value)
    sweep.stage(sweep.stop)
    return sweep.end()
  }
}

/**
 * One message's sweep. Its words are swept in order, as far as they are known (advance), then
 * end() checksums the words the sweep leaves with zlib. The kernel's ring is the sweep's state:
 * one sweep at a time per kernel.
 */
class Sweep {
  /** the message's whole words, and the first of those the sweep leaves to zlib */
  private readonly n: number
  readonly stop: number
  /** words swept so far */
  private k = 0

  constructor(
    private readonly kernel: Crc32Kernel,
    private readonly input: Uint8Array,
    private readonly value: number,
  ) {
    this.n = Math.floor(input.length / 4)
    this.stop = Math.floor((this.n - FAR) / TURN) * TURN
    kernel.words.fill(0, 0, RING_WORDS)
  }

  /** sweeps up to word `until` through the stage; the first turn always goes this way: the start value is XORed into its first word, and the caller's bytes stay as they are */
  stage(until: number): void {
    const { words, bytes, push } = this.kernel
    while (this.k < until) {
      const end = Math.min(until, this.k + STAGE_WORDS)
      bytes.set(this.input.subarray(this.k * 4, end * 4), STAGE)
      if (this.k === 0) words[STAGE / 4] ^= ~this.value
      push(STAGE, this.k, end)
      this.k = end
    }
  }

  /** the first `known` bytes are in place (an area's): sweeps them where they lie */
  advance(known: number): void {
    const until = Math.min(this.stop, Math.floor(known / (4 * TURN)) * TURN)
    if (this.k === 0 && until >= TURN) this.stage(TURN)
    if (this.k === 0 || until <= this.k) return
    this.kernel.push(this.input.byteOffset + this.k * 4, this.k, until)
    this.k = until
  }

  /** the CRC, once every byte is known and every word up to stop swept */
  end(): number {
    const { words, bytes } = this.kernel
    const { n, stop, input } = this
    const tail = n - stop
    bytes.set(input.subarray(stop * 4, n * 4), TAIL)
    const t = TAIL / 4
    // a near term reaches the first d left words from swept ones
    for (const d of NEAR) for (let i = 0; i < d; i++) words[t + i] ^= words[(stop + i - d) % RING_WORDS]
    // the far term reaches the left words from swept ones only up to FAR words after the sweep's end
    const first = Math.max(0, FAR - stop)
    this.kernel.fold(TAIL + first * 4, stop + first - FAR, Math.min(tail, FAR) - first)
    const swept = zlibCrc32(bytes.subarray(TAIL, TAIL + tail * 4), 0xffffffff)
    return input.length % 4 === 0 ? swept : zlibCrc32(input.subarray(n * 4), swept)
  }
}

function createKernel(areaBytes: number): Crc32Kernel | null {
  const module = kernelModule()
  if (!module) return null
  const memory = new webAssembly.Memory({ initial: Math.ceil((AREA + areaBytes) / PAGE) })
  const { exports } = new webAssembly.Instance(module, { env: { memory } })
  return new Crc32Kernel(memory, exports as Exports)
}

/** the kernel of each checksummed area, by its memory */
const areas = new WeakMap<ArrayBufferLike, Crc32Kernel>()
/** the thread's kernel for bytes elsewhere, made at the first long input */
let stager: Crc32Kernel | null | undefined

/** zlib.crc32(bytes, value) */
export function crc32(bytes: Uint8Array, value = 0): number {
  if (bytes.length < SHORTEST) return zlibCrc32(bytes, value)
  stager ??= createKernel(0)
  return stager ? stager.crc(bytes, value) : zlibCrc32(bytes, value)
}

/** the CRC of bytes that arrive in order, computed as they do */
export interface FollowedCrc {
  /** the first `known` bytes are in */
  advance(known: number): void
  /** every byte is in: zlib.crc32(bytes, value) */
  end(): number
}

/**
 * Follows bytes of a checksummed area as they are read into it, sweeping each part while it is
 * still in the cache: null for short bytes, or bytes elsewhere (crc32 then). One at a time per
 * area.
 */
export function followCrc(bytes: Uint8Array, value = 0): FollowedCrc | null {
  const kernel = areas.get(bytes.buffer)
  if (!kernel || bytes.length < SHORTEST) return null
  const sweep = new Sweep(kernel, bytes, value)
  return {
    advance: (known) => sweep.advance(known),
    end: () => {
      sweep.advance(bytes.length)
      return sweep.end()
    },
  }
}

/**
 * `size` zeroed bytes that followCrc can follow as they are read; plain memory where the kernel
 * cannot run. May throw RangeError as an ArrayBuffer would (no memory for it).
 */
export function checksummedArea(size: number): Uint8Array {
  const kernel = createKernel(size)
  if (!kernel) return new Uint8Array(size)
  areas.set(kernel.memory.buffer, kernel)
  return kernel.area(size)
}
