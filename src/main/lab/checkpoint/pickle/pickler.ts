/**
 * Writes pickle protocol 2, the protocol torch.save uses by default, for plain values and
 * tensors (through a hook the .pth writer supplies). Only opcodes that torch 1.13's
 * weights_only unpickler accepts are used, except BINFLOAT for Python floats.
 */
import { PyDict, PyTuple, type PyValue } from './values'

export interface PicklerHooks {
  /** writes an extension value (a tensor) through the pickler's primitives; false if unknown */
  extension(value: PyValue, p: Pickler): boolean
}

export class Pickler {
  private readonly chunks: Uint8Array[] = []
  private size = 0
  private readonly memo = new Map<string, number>()
  private readonly encoder = new TextEncoder()

  constructor(private readonly hooks: PicklerHooks) {}

  private raw(bytes: Uint8Array | number[]): void {
    const chunk = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes)
    this.chunks.push(chunk)
    this.size += chunk.length
  }

  op(code: number): void {
    this.raw([code])
  }

  private u32(n: number): number[] {
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]
  }

  /** GLOBAL, memoised like Python's pickler so a name is written once */
  global(module: string, name: string): void {
    const key = `${module}\n${name}`
    const index = this.memo.get(key)
    if (index !== undefined) {
      this.get(index)
      return
    }
    this.raw([0x63])
    this.raw(this.encoder.encode(`${module}\n${name}\n`))
    this.put(key)
  }

  private put(key: string): void {
    const index = this.memo.size
    this.memo.set(key, index)
    if (index < 256) this.raw([0x71, index])
    else this.raw([0x72, ...this.u32(index)])
  }

  private get(index: number): void {
    if (index < 256) this.raw([0x68, index])
    else this.raw([0x6a, ...this.u32(index)])
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 256) this.raw([0x4b, n])
    else if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 65536) this.raw([0x4d, n & 0xff, n >> 8])
    else if (typeof n === 'number' && Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) this.raw([0x4a, ...this.u32(n >>> 0)])
    else {
      // LONG1: little-endian two's complement
      let v = BigInt(n)
      const bytes: number[] = []
      for (;;) {
        bytes.push(Number(v & 0xffn))
        v >>= 8n
        const sign = bytes[bytes.length - 1] & 0x80
        if ((v === 0n && !sign) || (v === -1n && sign)) break
      }
      this.raw([0x8a, bytes.length, ...bytes])
    }
  }

  float(x: number): void {
    const b = new Uint8Array(9)
    b[0] = 0x47
    new DataView(b.buffer).setFloat64(1, x, false)
    this.raw(b)
  }

  string(s: string): void {
    const bytes = this.encoder.encode(s)
    this.raw([0x58, ...this.u32(bytes.length)])
    this.raw(bytes)
  }

  tuple(items: PyValue[]): void {
    if (items.length === 0) {
      this.op(0x29)
      return
    }
    if (items.length > 3) this.op(0x28)
    for (const item of items) this.value(item)
    this.op(items.length === 1 ? 0x85 : items.length === 2 ? 0x86 : items.length === 3 ? 0x87 : 0x74)
  }

  /** collections.OrderedDict() — the empty one torch passes as backward_hooks, or a state_dict */
  orderedDict(entries: [PyValue, PyValue][]): void {
    this.global('collections', 'OrderedDict')
    this.op(0x29)
    this.op(0x52)
    this.setItems(entries)
  }

  private setItems(entries: [PyValue, PyValue][]): void {
    for (let i = 0; i < entries.length; i += 1000) {
      this.op(0x28)
      for (const [k, v] of entries.slice(i, i + 1000)) {
        this.value(k)
        this.value(v)
      }
      this.op(0x75)
    }
  }

  value(v: PyValue): void {
    if (v === null) this.op(0x4e)
    else if (v === true) this.op(0x88)
    else if (v === false) this.op(0x89)
    else if (typeof v === 'number' && Number.isSafeInteger(v)) this.int(v)
    else if (typeof v === 'number') this.float(v)
    else if (typeof v === 'bigint') this.int(v)
    else if (typeof v === 'string') this.string(v)
    else if (v instanceof PyTuple) this.tuple(v.items)
    else if (Array.isArray(v)) {
      this.op(0x5d)
      for (let i = 0; i < v.length; i += 1000) {
        this.op(0x28)
        for (const item of v.slice(i, i + 1000)) this.value(item)
        this.op(0x65)
      }
    } else if (v instanceof PyDict) {
      if (v.kind === 'OrderedDict') this.orderedDict([...v.entries] as [PyValue, PyValue][])
      else {
        this.op(0x7d)
        this.setItems([...v.entries] as [PyValue, PyValue][])
      }
    } else if (!this.hooks.extension(v, this)) {
      throw new Error(`TorchLab cannot write a ${Object.prototype.toString.call(v)} into a .pth file.`)
    }
  }

  dump(v: PyValue): Uint8Array {
    this.raw([0x80, 2])
    this.value(v)
    this.op(0x2e)
    const out = new Uint8Array(this.size)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.length
    }
    return out
  }
}
