/**
 * Writes pickle protocol 2, the protocol torch.save uses by default, for plain values and
 * tensors (through a hook the .pth writer supplies). Only opcodes that torch 1.13's
 * weights_only unpickler accepts are used, except BINFLOAT for Python floats.
 */
import { OP } from './opcodes'
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
    this.raw([OP.GLOBAL])
    this.raw(this.encoder.encode(`${module}\n${name}\n`))
    this.put(key)
  }

  private put(key: string): void {
    const index = this.memo.size
    this.memo.set(key, index)
    if (index < 256) this.raw([OP.BINPUT, index])
    else this.raw([OP.LONG_BINPUT, ...this.u32(index)])
  }

  private get(index: number): void {
    if (index < 256) this.raw([OP.BINGET, index])
    else this.raw([OP.LONG_BINGET, ...this.u32(index)])
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 256) this.raw([OP.BININT1, n])
    else if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 65536) this.raw([OP.BININT2, n & 0xff, n >> 8])
    else if (typeof n === 'number' && Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) this.raw([OP.BININT, ...this.u32(n >>> 0)])
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
      this.raw([OP.LONG1, bytes.length, ...bytes])
    }
  }

  float(x: number): void {
    const b = new Uint8Array(9)
    b[0] = OP.BINFLOAT
    new DataView(b.buffer).setFloat64(1, x, false)
    this.raw(b)
  }

  string(s: string): void {
    const bytes = this.encoder.encode(s)
    this.raw([OP.BINUNICODE, ...this.u32(bytes.length)])
    this.raw(bytes)
  }

  tuple(items: PyValue[]): void {
    if (items.length === 0) {
      this.op(OP.EMPTY_TUPLE)
      return
    }
    if (items.length > 3) this.op(OP.MARK)
    for (const item of items) this.value(item)
    this.op(items.length === 1 ? OP.TUPLE1 : items.length === 2 ? OP.TUPLE2 : items.length === 3 ? OP.TUPLE3 : OP.TUPLE)
  }

  /** collections.OrderedDict() — the empty one torch passes as backward_hooks, or a state_dict */
  orderedDict(entries: [PyValue, PyValue][]): void {
    this.global('collections', 'OrderedDict')
    this.op(OP.EMPTY_TUPLE)
    this.op(OP.REDUCE)
    this.setItems(entries)
  }

  private setItems(entries: [PyValue, PyValue][]): void {
    for (let i = 0; i < entries.length; i += 1000) {
      this.op(OP.MARK)
      for (const [k, v] of entries.slice(i, i + 1000)) {
        this.value(k)
        this.value(v)
      }
      this.op(OP.SETITEMS)
    }
  }

  value(v: PyValue): void {
    if (v === null) this.op(OP.NONE)
    else if (v === true) this.op(OP.NEWTRUE)
    else if (v === false) this.op(OP.NEWFALSE)
    else if (typeof v === 'number' && Number.isSafeInteger(v)) this.int(v)
    else if (typeof v === 'number') this.float(v)
    else if (typeof v === 'bigint') this.int(v)
    else if (typeof v === 'string') this.string(v)
    else if (v instanceof PyTuple) this.tuple(v.items)
    else if (Array.isArray(v)) {
      this.op(OP.EMPTY_LIST)
      for (let i = 0; i < v.length; i += 1000) {
        this.op(OP.MARK)
        for (const item of v.slice(i, i + 1000)) this.value(item)
        this.op(OP.APPENDS)
      }
    } else if (v instanceof PyDict) {
      if (v.kind === 'OrderedDict') this.orderedDict([...v.entries] as [PyValue, PyValue][])
      else {
        this.op(OP.EMPTY_DICT)
        this.setItems([...v.entries] as [PyValue, PyValue][])
      }
    } else if (!this.hooks.extension(v, this)) {
      throw new Error(`TorchLab cannot write a ${Object.prototype.toString.call(v)} into a .pth file.`)
    }
  }

  dump(v: PyValue): Uint8Array {
    this.raw([OP.PROTO, 2])
    this.value(v)
    this.op(OP.STOP)
    const out = new Uint8Array(this.size)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.length
    }
    return out
  }
}
