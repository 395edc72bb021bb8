/**
 * A pickle machine that executes nothing. It knows the opcodes of protocols 0–5 and builds
 * plain values; every GLOBAL goes through `resolveGlobal`, which returns a known handler, a
 * class name to record as data, or refuses. Every length is checked against the bytes left
 * before anything is read or allocated.
 */
import { labError } from '../../../../shared/errors'
import { badFile } from '../errors'
import { ClassRef, dictKey, PyDict, PyObject, PySet, PyTuple, type PyValue } from './values'

/** A callable the loader allows: it maps its arguments to a value, running no code from the file. */
export interface KnownCallable {
  readonly qualified: string
  call(args: PyValue[]): PyValue
  /** collections.OrderedDict and friends may be created by NEWOBJ with no arguments */
  newObject?(args: PyValue[]): PyValue
}

export interface UnpickleHooks {
  /** a callable the loader allows, a class name (ClassRef) or a plain value such as a dtype */
  resolveGlobal(module: string, name: string): KnownCallable | PyValue
  persistentLoad(pid: PyValue): PyValue
}

const MARK = Symbol('mark')
type StackItem = PyValue | typeof MARK

const MAX_DEPTH_OF_MARKS = 100_000

export function isKnownCallable(value: unknown): value is KnownCallable {
  return typeof value === 'object' && value !== null && 'call' in value && 'qualified' in value
}

export class Unpickler {
  private pos: number
  private readonly dv: DataView
  private readonly stack: StackItem[] = []
  private readonly marks: number[] = []
  private readonly memo = new Map<number, PyValue>()
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })

  constructor(
    private readonly bytes: Uint8Array,
    private readonly hooks: UnpickleHooks,
    start = 0,
  ) {
    this.pos = start
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /** where the last load stopped: the legacy format holds several pickles back to back */
  get position(): number {
    return this.pos
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw badFile('The pickle inside the file is cut short or damaged.')
  }

  private byte(): number {
    this.need(1)
    return this.bytes[this.pos++]
  }

  private take(n: number): Uint8Array {
    this.need(n)
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  private u16(): number {
    this.need(2)
    const v = this.dv.getUint16(this.pos, true)
    this.pos += 2
    return v
  }

  private u32(): number {
    this.need(4)
    const v = this.dv.getUint32(this.pos, true)
    this.pos += 4
    return v
  }

  private i32(): number {
    this.need(4)
    const v = this.dv.getInt32(this.pos, true)
    this.pos += 4
    return v
  }

  private u64(): number {
    this.need(8)
    const v = this.dv.getBigUint64(this.pos, true)
    this.pos += 8
    if (v > BigInt(this.bytes.length)) throw badFile('The pickle inside the file declares a length longer than the file.')
    return Number(v)
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos)
    if (end < 0) throw badFile('The pickle inside the file is cut short or damaged.')
    const text = new TextDecoder('latin1').decode(this.bytes.subarray(this.pos, end))
    this.pos = end + 1
    return text
  }

  private text(n: number): string {
    try {
      return this.decoder.decode(this.take(n))
    } catch {
      throw badFile('A text inside the file is not valid UTF-8.')
    }
  }

  private push(v: StackItem): void {
    this.stack.push(v)
  }

  private pop(): PyValue {
    if (this.stack.length === 0 || (this.marks.length > 0 && this.stack.length <= this.marks[this.marks.length - 1])) {
      throw badFile('The pickle inside the file is malformed (it reads from an empty stack).')
    }
    const v = this.stack.pop()!
    if (v === MARK) throw badFile('The pickle inside the file is malformed.')
    return v
  }

  private top(): PyValue {
    const v = this.stack[this.stack.length - 1]
    if (v === undefined || v === MARK) throw badFile('The pickle inside the file is malformed (it reads from an empty stack).')
    return v
  }

  private popMark(): PyValue[] {
    const mark = this.marks.pop()
    if (mark === undefined) throw badFile('The pickle inside the file is malformed (a mark is missing).')
    const items = this.stack.splice(mark) as PyValue[]
    if (items.length === 0 || items[0] !== (MARK as unknown)) throw badFile('The pickle inside the file is malformed.')
    return items.slice(1)
  }

  private memoGet(index: number): PyValue {
    if (!this.memo.has(index)) throw badFile('The pickle inside the file refers to a value it never stored.')
    return this.memo.get(index)!
  }

  private global(module: string, name: string): PyValue {
    return this.hooks.resolveGlobal(module, name) as unknown as PyValue
  }

  private callable(value: PyValue): KnownCallable {
    if (isKnownCallable(value)) return value
    const what = value instanceof ClassRef ? value.qualified : 'a value that is not a function'
    throw labError('CHECKPOINT_UNSAFE', `This file asks to run ${what}; TorchLab never runs code from a file.`, { key: what })
  }

  private setItems(target: PyValue, items: PyValue[]): void {
    if (!(target instanceof PyDict)) throw badFile('The pickle inside the file is malformed (it sets items on a non-dict).')
    for (let i = 0; i + 1 < items.length; i += 2) target.entries.set(dictKey(items[i]), items[i + 1])
  }

  private append(target: PyValue, items: PyValue[]): void {
    if (!Array.isArray(target)) throw badFile('The pickle inside the file is malformed (it appends to a non-list).')
    for (const item of items) target.push(item)
  }

  private long(bytes: Uint8Array): number | bigint {
    if (bytes.length === 0) return 0
    let v = 0n
    for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i])
    if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(bytes.length * 8)
    return Number.isSafeInteger(Number(v)) ? Number(v) : v
  }

  load(): PyValue {
    for (;;) {
      const op = this.byte()
      switch (op) {
        case 0x80: // PROTO
          if (this.byte() > 5) throw labError('CHECKPOINT_UNSUPPORTED', 'This file uses a pickle protocol newer than 5.')
          break
        case 0x95: // FRAME
          this.u64()
          break
        case 0x2e: // STOP
          if (this.stack.length !== 1 || this.marks.length !== 0) throw badFile('The pickle inside the file is malformed (it ends in the middle).')
          return this.pop()
        case 0x28: // MARK
          if (this.marks.length >= MAX_DEPTH_OF_MARKS) throw badFile('The pickle inside the file nests too deeply.')
          this.marks.push(this.stack.length)
          this.push(MARK)
          break
        case 0x30: // POP
          if (this.stack.at(-1) === MARK) {
            this.popMark()
          } else {
            this.pop()
          }
          break
        case 0x31: // POP_MARK
          this.popMark()
          break
        case 0x32: // DUP
          this.push(this.top())
          break
        case 0x4e: // NONE
          this.push(null)
          break
        case 0x88: // NEWTRUE
          this.push(true)
          break
        case 0x89: // NEWFALSE
          this.push(false)
          break
        case 0x4b: // BININT1
          this.push(this.byte())
          break
        case 0x4d: // BININT2
          this.push(this.u16())
          break
        case 0x4a: // BININT
          this.push(this.i32())
          break
        case 0x8a: // LONG1
          this.push(this.long(this.take(this.byte())))
          break
        case 0x8b: {
          // LONG4
          const n = this.u32()
          if (n > 1024) throw badFile('The file holds an integer too large to be real.')
          this.push(this.long(this.take(n)))
          break
        }
        case 0x49: {
          // INT (text); I01/I00 are protocol 0 booleans
          const s = this.line()
          if (s === '01' || s === '00') this.push(s === '01')
          else this.push(this.parseInt(s))
          break
        }
        case 0x4c: // LONG (text)
          this.push(this.parseInt(this.line().replace(/L$/, '')))
          break
        case 0x47: {
          // BINFLOAT: big-endian double
          this.need(8)
          this.push(this.dv.getFloat64(this.pos, false))
          this.pos += 8
          break
        }
        case 0x46: {
          // FLOAT (text)
          const v = Number(this.line())
          if (Number.isNaN(v)) throw badFile('The pickle inside the file holds a malformed number.')
          this.push(v)
          break
        }
        case 0x58: // BINUNICODE
          this.push(this.text(this.u32()))
          break
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.text(this.byte()))
          break
        case 0x8d: // BINUNICODE8
          this.push(this.text(this.u64()))
          break
        case 0x56: // UNICODE (raw-unicode-escape, text)
          this.push(this.line())
          break
        case 0x55: // SHORT_BINSTRING
          this.push(new TextDecoder('latin1').decode(this.take(this.byte())))
          break
        case 0x54: // BINSTRING
          this.push(new TextDecoder('latin1').decode(this.take(this.i32())))
          break
        case 0x53: // STRING (quoted text)
          this.push(this.line().replace(/^(['"])(.*)\1$/, '$2'))
          break
        case 0x43: // SHORT_BINBYTES
          this.push(this.take(this.byte()).slice())
          break
        case 0x42: // BINBYTES
          this.push(this.take(this.u32()).slice())
          break
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.push(this.take(this.u64()).slice())
          break
        case 0x98: // READONLY_BUFFER
          break
        case 0x29: // EMPTY_TUPLE
          this.push(new PyTuple([]))
          break
        case 0x85: // TUPLE1
          this.push(new PyTuple([this.pop()]))
          break
        case 0x86: {
          // TUPLE2
          const b = this.pop()
          const a = this.pop()
          this.push(new PyTuple([a, b]))
          break
        }
        case 0x87: {
          // TUPLE3
          const c = this.pop()
          const b = this.pop()
          const a = this.pop()
          this.push(new PyTuple([a, b, c]))
          break
        }
        case 0x74: // TUPLE
          this.push(new PyTuple(this.popMark()))
          break
        case 0x5d: // EMPTY_LIST
          this.push([])
          break
        case 0x6c: // LIST
          this.push(this.popMark())
          break
        case 0x61: {
          // APPEND
          const v = this.pop()
          this.append(this.top(), [v])
          break
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark()
          this.append(this.top(), items)
          break
        }
        case 0x7d: // EMPTY_DICT
          this.push(new PyDict())
          break
        case 0x64: {
          // DICT
          const d = new PyDict()
          this.setItems(d, this.popMark())
          this.push(d)
          break
        }
        case 0x73: {
          // SETITEM
          const v = this.pop()
          const k = this.pop()
          this.setItems(this.top(), [k, v])
          break
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark()
          this.setItems(this.top(), items)
          break
        }
        case 0x8f: // EMPTY_SET
          this.push(new PySet([], false))
          break
        case 0x90: {
          // ADDITEMS
          const items = this.popMark()
          const set = this.top()
          if (!(set instanceof PySet)) throw badFile('The pickle inside the file is malformed.')
          set.items.push(...items)
          break
        }
        case 0x91: // FROZENSET
          this.push(new PySet(this.popMark(), true))
          break
        case 0x70: // PUT
          this.memo.set(this.parseIndex(this.line()), this.top())
          break
        case 0x71: // BINPUT
          this.memo.set(this.byte(), this.top())
          break
        case 0x72: // LONG_BINPUT
          this.memo.set(this.u32(), this.top())
          break
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top())
          break
        case 0x67: // GET
          this.push(this.memoGet(this.parseIndex(this.line())))
          break
        case 0x68: // BINGET
          this.push(this.memoGet(this.byte()))
          break
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()))
          break
        case 0x63: {
          // GLOBAL "module\nname\n"
          const module = this.line()
          this.push(this.global(module, this.line()))
          break
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop()
          const module = this.pop()
          if (typeof module !== 'string' || typeof name !== 'string') throw badFile('The pickle inside the file is malformed.')
          this.push(this.global(module, name))
          break
        }
        case 0x52: {
          // REDUCE
          const args = this.pop()
          const fn = this.pop()
          if (!(args instanceof PyTuple)) throw badFile('The pickle inside the file is malformed (a call without an argument tuple).')
          this.push(this.callable(fn).call(args.items))
          break
        }
        case 0x81: {
          // NEWOBJ: cls.__new__(cls, *args) — recorded, never run
          const args = this.pop()
          const cls = this.pop()
          if (!(args instanceof PyTuple)) throw badFile('The pickle inside the file is malformed.')
          this.push(this.newObject(cls, args.items))
          break
        }
        case 0x92: {
          // NEWOBJ_EX
          this.pop()
          const args = this.pop()
          const cls = this.pop()
          if (!(args instanceof PyTuple)) throw badFile('The pickle inside the file is malformed.')
          this.push(this.newObject(cls, args.items))
          break
        }
        case 0x62: {
          // BUILD: state is recorded on objects; dicts get their attributes ignored (OrderedDict _metadata)
          const state = this.pop()
          const target = this.top()
          if (target instanceof PyObject) target.state = state
          else if (!(target instanceof PyDict) && !(typeof target === 'object' && target !== null && 'pyKind' in target)) {
            throw badFile('The pickle inside the file is malformed (it sets the state of a plain value).')
          }
          break
        }
        case 0x51: // BINPERSID
          this.push(this.hooks.persistentLoad(this.pop()))
          break
        case 0x50: // PERSID
          this.push(this.hooks.persistentLoad(this.line()))
          break
        case 0x69: // INST
        case 0x6f: // OBJ
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: // EXT4
        case 0x97: // NEXT_BUFFER
          throw labError('CHECKPOINT_UNSAFE', `This file uses a pickle instruction (0x${op.toString(16)}) that TorchLab does not run.`)
        default:
          throw badFile(`The pickle inside the file is damaged (unknown instruction 0x${op.toString(16)} at byte ${this.pos - 1}).`)
      }
    }
  }

  private parseInt(s: string): number | bigint {
    if (!/^-?\d+$/.test(s.trim())) throw badFile('The pickle inside the file holds a malformed integer.')
    const big = BigInt(s.trim())
    return Number.isSafeInteger(Number(big)) ? Number(big) : big
  }

  private parseIndex(s: string): number {
    const n = Number(s)
    if (!Number.isSafeInteger(n) || n < 0) throw badFile('The pickle inside the file is malformed.')
    return n
  }

  private newObject(cls: PyValue, args: PyValue[]): PyValue {
    if (isKnownCallable(cls) && cls.newObject) return cls.newObject(args)
    if (cls instanceof ClassRef) return new PyObject(cls, args)
    return this.callable(cls).call(args)
  }
}

