/**
 * A pickle machine that executes nothing — the policy, as torch/_weights_only_unpickler.py
 * states its own:
 * - GLOBAL / STACK_GLOBAL never import: the name goes to `resolveGlobal`, which answers with a
 *   callable TorchLab implements itself (KnownCallable), a class recorded by name (ClassRef),
 *   a plain value (a dtype) — or refuses, naming the global.
 * - REDUCE calls only a KnownCallable; NEWOBJ and NEWOBJ_EX turn a ClassRef into a PyObject
 *   that holds its arguments as data (OrderedDict is built). Nothing else can be called.
 * - BUILD stores state on a PyObject, or is ignored on a dict (OrderedDict's _metadata) and a
 *   tensor; __setstate__ never runs.
 * - INST, OBJ, EXT1/2/4 and NEXT_BUFFER are refused: torch never writes them.
 * - PERSID / BINPERSID go to `persistentLoad`, which accepts only torch's storage ids.
 * - A callable is never data: it may only be called, and STOP refuses a global as the result.
 *   A Python type TorchLab can build (list, dict) is a ClassRef too, and as a value only a name
 *   (defaultdict(list)'s factory).
 * - Every length is checked against the bytes left before anything is read or allocated;
 *   shared (memoised) values stay shared, never copied; nothing recurses, and a container
 *   nested deeper than MAX_NESTING is refused as it is built.
 * - Every corruption is one typed LabError whose sentence names what was refused.
 * The opcodes the file used and the globals it named are kept, so a caller can tell whether
 * torch's own weights_only unpickler would load it too.
 */
import { labError } from '../../../../shared/errors'
import type { Budget } from '../budget'
import { badFile } from '../errors'
import { OP, opName, type OpName } from './opcodes'
import { protocol0Int, pythonFloat, stringOpcode, unicodeOpcode } from './protocol0'
import { ClassRef, MAX_NESTING, PyDict, PyObject, PySet, PyTuple, type PyValue } from './values'

/** A callable the loader allows: it maps its arguments to a value, running no code from the file. */
export interface KnownCallable {
  readonly qualified: string
  /** a callable only where Python's pickles reach a method through getattr (zoneinfo.ZoneInfo._unpickle) */
  call(args: PyValue[]): PyValue | KnownCallable
  /** collections.OrderedDict and friends may be created by NEWOBJ with no arguments */
  newObject?(args: PyValue[]): PyValue
}

export interface UnpickleHooks {
  /** a callable the loader allows, a class name (ClassRef) or a plain value such as a dtype */
  resolveGlobal(module: string, name: string): KnownCallable | PyValue
  persistentLoad(pid: PyValue): PyValue
}

/** What a pickle used: torch's weights_only unpickler allows fewer opcodes and globals than TorchLab reads. */
export interface PickleTrace {
  opcodes: Set<OpName>
  globals: Set<string>
  /** the kinds of objects BUILD set state on ('dict', 'OrderedDict', 'tensor', 'object') */
  built: Set<string>
}

const MARK = Symbol('mark')
type StackItem = PyValue | KnownCallable | typeof MARK

const MAX_DEPTH_OF_MARKS = 100_000
/** texts in a checkpoint are names and notes; a vocabulary saved as one string is a few MB */
const MAX_TEXT_BYTES = 64 * 1024 * 1024

/**
 * Why C pickle's BUILD refuses `state` on a dict, or null: the state is None or a dict of
 * attributes, optionally paired with a dict of slots. Only an OrderedDict has attributes (the
 * _metadata torch saves); a dict or defaultdict takes None and no slots, or an empty slots dict.
 */
function dictStateRefusal(target: PyDict, state: PyValue): string | null {
  const [attributes, slots] = state instanceof PyTuple && state.items.length === 2 ? state.items : [state, undefined]
  if (attributes !== null && !(attributes instanceof PyDict)) return 'a state that is not a dictionary'
  if (slots !== undefined && !(slots instanceof PyDict)) return 'a slot state that is not a dictionary'
  if (target.kind === 'OrderedDict') return null
  return attributes === null && (slots === undefined || slots.entries.size === 0) ? null : 'attributes, which it cannot hold in Python'
}

export function isKnownCallable(value: unknown): value is KnownCallable {
  return typeof value === 'object' && value !== null && 'call' in value && 'qualified' in value
}

function unsafe(message: string, key: string): Error {
  return labError('CHECKPOINT_UNSAFE', message, { key })
}

export class Unpickler {
  private pos: number
  private readonly dv: DataView
  private readonly stack: StackItem[] = []
  private readonly marks: number[] = []
  private readonly memo = new Map<number, PyValue | KnownCallable>()
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true })
  private readonly latin1 = new TextDecoder('latin1')
  /** how deep each container built so far nests, so that a depth bomb stops at MAX_NESTING, not after the whole file is built */
  private readonly depths = new WeakMap<object, number>()
  readonly trace: PickleTrace = { opcodes: new Set(), globals: new Set(), built: new Set() }

  constructor(
    private readonly bytes: Uint8Array,
    private readonly hooks: UnpickleHooks,
    private readonly budget: Budget,
    start = 0,
  ) {
    this.pos = start
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /** where the last load stopped: the legacy format holds several pickles back to back */
  get position(): number {
    return this.pos
  }

  load(): PyValue {
    for (;;) {
      const op = this.byte()
      const name = opName(op)
      this.trace.opcodes.add(name as OpName)
      if (!this.risky(op) && !this.framing(op) && !this.stackOrMemo(op) && !this.scalar(op) && !this.container(op)) {
        if (op === OP.STOP) return this.stop()
        throw badFile(`The pickle inside the file is damaged (unknown instruction ${name} at byte ${this.pos - 1}).`)
      }
    }
  }

  /** the opcodes that name or call code: handled first, each by the policy above */
  private risky(op: number): boolean {
    switch (op) {
      case OP.GLOBAL: {
        const module = this.line(true)
        this.push(this.global(module, this.line(true)))
        return true
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop()
        const module = this.pop()
        if (typeof module !== 'string' || typeof name !== 'string') throw badFile('The pickle inside the file is malformed (STACK_GLOBAL without two names).')
        this.push(this.global(module, name))
        return true
      }
      case OP.REDUCE: {
        const args = this.pop()
        const fn = this.popCallee()
        if (!(args instanceof PyTuple)) throw badFile('The pickle inside the file is malformed (a call without an argument tuple).')
        this.push(this.callable(fn).call(args.items))
        return true
      }
      case OP.NEWOBJ: {
        const args = this.pop()
        const cls = this.popCallee()
        if (!(args instanceof PyTuple)) throw badFile('The pickle inside the file is malformed (NEWOBJ without an argument tuple).')
        this.push(this.newObject(cls, args.items))
        return true
      }
      case OP.NEWOBJ_EX: {
        const kwargs = this.pop()
        const args = this.pop()
        const cls = this.popCallee()
        if (!(args instanceof PyTuple) || !(kwargs instanceof PyDict)) throw badFile('The pickle inside the file is malformed (NEWOBJ_EX without arguments).')
        if (kwargs.entries.size > 0) throw unsafe(`This file asks to create ${this.calleeName(cls)} with keyword arguments; TorchLab never runs code from a file.`, this.calleeName(cls))
        this.push(this.newObject(cls, args.items))
        return true
      }
      case OP.BUILD: {
        const state = this.pop()
        const target = this.top()
        if (target instanceof PyObject) {
          // recorded as data: a class's __setstate__ never runs
          target.state = state
          this.trace.built.add('object')
        } else if (target instanceof PyDict) {
          const refusal = dictStateRefusal(target, state)
          if (refusal) throw badFile(`The pickle inside the file is malformed (BUILD gives ${target.kind === 'OrderedDict' ? 'an OrderedDict' : `a ${target.kind}`} ${refusal}).`)
          this.trace.built.add(target.kind)
        } else if (typeof target === 'object' && target !== null && 'pyKind' in target) {
          // torch's Tensor.__setstate__ unpacks 4 values (legacy), 5 (a legacy Variable) or 3
          if (target.pyKind === 'tensor' && !(state instanceof PyTuple && state.items.length >= 3 && state.items.length <= 5)) {
            throw badFile('The pickle inside the file is malformed (BUILD gives a tensor a state other than the 3 to 5 values torch sets a tensor from).')
          }
          // a value that keeps its state (numpy's dtype, its byte order) keeps it as data
          if ('state' in target) target.state = state
          this.trace.built.add(String(target.pyKind))
        } else {
          throw badFile('The pickle inside the file is malformed (BUILD sets the state of a plain value).')
        }
        return true
      }
      case OP.PERSID:
        this.push(this.hooks.persistentLoad(this.line()))
        return true
      case OP.BINPERSID:
        this.push(this.hooks.persistentLoad(this.pop()))
        return true
      case OP.INST:
      case OP.OBJ:
      case OP.EXT1:
      case OP.EXT2:
      case OP.EXT4:
      case OP.NEXT_BUFFER: {
        const name = opName(op)
        throw unsafe(`This file uses the pickle instruction ${name}, which creates objects by running code; torch never writes it and TorchLab does not run it.`, name)
      }
      default:
        return false
    }
  }

  private framing(op: number): boolean {
    switch (op) {
      case OP.PROTO:
        if (this.byte() > 5) throw labError('CHECKPOINT_UNSUPPORTED', 'This file uses a pickle protocol newer than 5.')
        return true
      case OP.FRAME:
        this.u64()
        return true
      default:
        return false
    }
  }

  private stackOrMemo(op: number): boolean {
    switch (op) {
      case OP.MARK:
        if (this.marks.length >= MAX_DEPTH_OF_MARKS) throw badFile('The pickle inside the file nests too deeply.')
        this.marks.push(this.stack.length)
        this.stack.push(MARK)
        return true
      case OP.POP:
        if (this.stack.at(-1) === MARK) this.popMark()
        else this.popItem()
        return true
      case OP.POP_MARK:
        this.popMark()
        return true
      case OP.DUP:
        this.stack.push(this.topItem())
        return true
      case OP.PUT:
        this.memo.set(this.parseIndex(this.line()), this.topItem())
        return true
      case OP.BINPUT:
        this.memo.set(this.byte(), this.topItem())
        return true
      case OP.LONG_BINPUT:
        this.memo.set(this.u32(), this.topItem())
        return true
      case OP.MEMOIZE:
        this.memo.set(this.memo.size, this.topItem())
        return true
      case OP.GET:
        this.stack.push(this.memoGet(this.parseIndex(this.line())))
        return true
      case OP.BINGET:
        this.stack.push(this.memoGet(this.byte()))
        return true
      case OP.LONG_BINGET:
        this.stack.push(this.memoGet(this.u32()))
        return true
      default:
        return false
    }
  }

  private scalar(op: number): boolean {
    switch (op) {
      case OP.NONE:
        this.push(null)
        return true
      case OP.NEWTRUE:
        this.push(true)
        return true
      case OP.NEWFALSE:
        this.push(false)
        return true
      case OP.BININT1:
        this.push(this.byte())
        return true
      case OP.BININT2:
        this.push(this.u16())
        return true
      case OP.BININT:
        this.push(this.i32())
        return true
      case OP.LONG1:
        this.push(this.long(this.take(this.byte())))
        return true
      case OP.LONG4: {
        const n = this.u32()
        if (n > 1024) throw badFile('The file holds an integer too large to be real.')
        this.push(this.long(this.take(n)))
        return true
      }
      case OP.INT:
        this.push(this.protocol0Int('INT'))
        return true
      case OP.LONG:
        this.push(this.protocol0Int('LONG'))
        return true
      case OP.BINFLOAT:
        this.need(8)
        this.push(this.dv.getFloat64(this.pos, false))
        this.pos += 8
        return true
      case OP.FLOAT: {
        const v = pythonFloat(this.line())
        if (v === undefined) throw badFile('The pickle inside the file holds a malformed number.')
        this.push(v)
        return true
      }
      case OP.BINUNICODE:
        this.push(this.text(this.u32()))
        return true
      case OP.SHORT_BINUNICODE:
        this.push(this.text(this.byte()))
        return true
      case OP.BINUNICODE8:
        this.push(this.text(this.u64()))
        return true
      case OP.UNICODE: {
        const text = unicodeOpcode(this.lineBytes())
        if (text === undefined) throw badFile('The pickle inside the file holds a text with a broken \\u escape.')
        this.push(text)
        return true
      }
      // Python 2's str: torch.load reads its bytes as UTF-8 (its encoding='utf-8')
      case OP.SHORT_BINSTRING:
        this.push(this.text(this.byte()))
        return true
      case OP.BINSTRING:
        this.push(this.text(this.i32()))
        return true
      case OP.STRING: {
        const text = stringOpcode(this.lineBytes(), this.utf8)
        if (text === undefined) throw badFile('The pickle inside the file holds a text that is not quoted, has a broken escape, or is not UTF-8.')
        this.push(text)
        return true
      }
      case OP.SHORT_BINBYTES:
        this.push(this.take(this.byte()).slice())
        return true
      case OP.BINBYTES:
        this.push(this.take(this.u32()).slice())
        return true
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        this.push(this.take(this.u64()).slice())
        return true
      case OP.READONLY_BUFFER:
        // Python takes a memoryview of the value on top: only bytes have one
        if (!(this.top() instanceof Uint8Array)) throw badFile('The pickle inside the file is malformed (READONLY_BUFFER on a value that is not bytes).')
        return true
      default:
        return false
    }
  }

  private container(op: number): boolean {
    switch (op) {
      case OP.EMPTY_TUPLE:
        this.push(new PyTuple([]))
        return true
      case OP.TUPLE1:
        this.push(this.tuple([this.pop()]))
        return true
      case OP.TUPLE2: {
        const b = this.pop()
        const a = this.pop()
        this.push(this.tuple([a, b]))
        return true
      }
      case OP.TUPLE3: {
        const c = this.pop()
        const b = this.pop()
        const a = this.pop()
        this.push(this.tuple([a, b, c]))
        return true
      }
      case OP.TUPLE:
        this.push(this.tuple(this.popMark()))
        return true
      case OP.EMPTY_LIST:
        this.push([])
        return true
      case OP.LIST: {
        const items = this.popMark()
        this.push(this.nest(items, items))
        return true
      }
      case OP.APPEND: {
        const v = this.pop()
        this.append(this.top(), [v])
        return true
      }
      case OP.APPENDS: {
        const items = this.popMark()
        this.append(this.top(), items)
        return true
      }
      case OP.EMPTY_DICT:
        this.push(new PyDict())
        return true
      case OP.DICT: {
        const d = new PyDict()
        this.setItems(d, this.popMark())
        this.push(d)
        return true
      }
      case OP.SETITEM: {
        const v = this.pop()
        const k = this.pop()
        this.setItems(this.top(), [k, v])
        return true
      }
      case OP.SETITEMS: {
        const items = this.popMark()
        this.setItems(this.top(), items)
        return true
      }
      case OP.EMPTY_SET:
        this.push(new PySet([], false))
        return true
      case OP.ADDITEMS: {
        const items = this.popMark()
        const set = this.top()
        if (!(set instanceof PySet)) throw badFile('The pickle inside the file is malformed (ADDITEMS on a non-set).')
        this.nest(set, items)
        for (const item of items) set.items.push(item)
        return true
      }
      case OP.FROZENSET: {
        const items = this.popMark()
        this.push(this.nest(new PySet(items, true), items))
        return true
      }
      default:
        return false
    }
  }

  /**
   * The value on top, as CPython's load_stop and torch 1.13's weights_only unpickler both return
   * it: values left beneath it, and marks left open, are not looked at. It must be data: a
   * function or a class as the result is what an exploit returns.
   */
  private stop(): PyValue {
    const result = this.stack.at(-1)
    if (result === undefined || result === MARK) throw badFile('The pickle inside the file is malformed (it ends with no value to give).')
    if (isKnownCallable(result) || result instanceof ClassRef || this.isStorageType(result)) {
      const what = isKnownCallable(result) ? result.qualified : result instanceof ClassRef ? result.qualified : 'a storage type'
      throw unsafe(`This file's content is the global ${what} itself, not data; TorchLab refuses a file whose result is a function or a class.`, what)
    }
    return result
  }

  private isStorageType(value: PyValue): boolean {
    return typeof value === 'object' && value !== null && 'pyKind' in value && value.pyKind === 'storage_type'
  }

  private global(module: string, name: string): PyValue | KnownCallable {
    // control characters are damage, not a name (a GLOBAL whose newline was lost runs on into the bytes after it): never repeated in a sentence
    if (/\p{Cc}/u.test(module + name)) throw badFile('The pickle inside the file is damaged: a name it refers to holds unprintable characters.')
    this.trace.globals.add(`${module}.${name}`)
    return this.hooks.resolveGlobal(module, name)
  }

  private calleeName(value: PyValue | KnownCallable): string {
    return isKnownCallable(value) || value instanceof ClassRef ? value.qualified : 'a value that is not a function'
  }

  private callable(value: PyValue | KnownCallable): KnownCallable {
    if (isKnownCallable(value)) return value
    const what = this.calleeName(value)
    throw unsafe(`This file asks to run ${what}; TorchLab never runs code from a file.`, what)
  }

  /** cls.__new__(cls, *args): only for a class — recorded by name, or one TorchLab builds itself (OrderedDict) */
  private newObject(cls: PyValue | KnownCallable, args: PyValue[]): PyValue {
    if (cls instanceof ClassRef) return new PyObject(cls, args)
    if (isKnownCallable(cls) && cls.newObject) return cls.newObject(args)
    const what = this.calleeName(cls)
    throw unsafe(`This file asks to create an object of ${what}, which is not a class TorchLab creates; TorchLab never runs code from a file.`, what)
  }

  private tuple(items: PyValue[]): PyTuple {
    return this.nest(new PyTuple(items), items)
  }

  /** records how deep `container` nests now that it holds `items`, refusing past MAX_NESTING */
  private nest<T extends object>(container: T, items: PyValue[]): T {
    let depth = this.depths.get(container) ?? 1
    for (const item of items) if (typeof item === 'object' && item !== null) depth = Math.max(depth, (this.depths.get(item) ?? 1) + 1)
    if (depth > MAX_NESTING) throw badFile('The file nests values more deeply than any checkpoint does.')
    this.depths.set(container, depth)
    return container
  }

  private setItems(target: PyValue, items: PyValue[]): void {
    if (!(target instanceof PyDict)) throw badFile('The pickle inside the file is malformed (it sets items on a non-dict).')
    if (items.length % 2 === 1) throw badFile('The pickle inside the file is malformed (SETITEMS gives a key without a value).')
    this.nest(target, items)
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1], this.budget)
  }

  private append(target: PyValue, items: PyValue[]): void {
    if (!Array.isArray(target)) throw badFile('The pickle inside the file is malformed (it appends to a non-list).')
    this.nest(target, items)
    for (const item of items) target.push(item)
  }

  // --- the typed stack: data and callables are told apart on every pop ---

  private push(v: PyValue | KnownCallable): void {
    this.stack.push(v)
  }

  private popItem(): PyValue | KnownCallable {
    if (this.stack.length === 0 || (this.marks.length > 0 && this.stack.length <= this.marks[this.marks.length - 1] + 1)) {
      throw badFile('The pickle inside the file is malformed (it reads from an empty stack).')
    }
    return this.stack.pop() as PyValue | KnownCallable
  }

  /** data only: a function used as a value is refused with its name */
  private pop(): PyValue {
    return this.data(this.popItem())
  }

  private popCallee(): PyValue | KnownCallable {
    return this.popItem()
  }

  private topItem(): PyValue | KnownCallable {
    const v = this.stack[this.stack.length - 1]
    if (v === undefined || v === MARK) throw badFile('The pickle inside the file is malformed (it reads from an empty stack).')
    return v
  }

  private top(): PyValue {
    return this.data(this.topItem())
  }

  private data(v: PyValue | KnownCallable): PyValue {
    if (isKnownCallable(v) && !(v instanceof ClassRef)) throw unsafe(`This file uses the function ${v.qualified} as a value; TorchLab only lets a file call the functions torch.load allows.`, v.qualified)
    return v
  }

  private popMark(): PyValue[] {
    const mark = this.marks.pop()
    if (mark === undefined) throw badFile('The pickle inside the file is malformed (a mark is missing).')
    const items = this.stack.splice(mark)
    if (items.length === 0 || items[0] !== MARK) throw badFile('The pickle inside the file is malformed (a mark is missing).')
    return items.slice(1).map((v) => this.data(v as PyValue | KnownCallable))
  }

  private memoGet(index: number): PyValue | KnownCallable {
    const value = this.memo.get(index)
    if (value === undefined) throw badFile('The pickle inside the file refers to a value it never stored.')
    return value
  }

  // --- bytes: every read is checked against what is really there ---

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

  /** a line of text; `utf8` for a GLOBAL's names, as Python decodes them */
  private line(utf8 = false): string {
    const end = this.lineEnd()
    const text = utf8 ? this.text(end - this.pos) : this.decoded(this.bytes.subarray(this.pos, end), this.latin1)
    this.pos = end + 1
    return text
  }

  /** the bytes up to the next line break, which is passed */
  private lineBytes(): Uint8Array {
    const end = this.lineEnd()
    this.withinTextBudget(end - this.pos)
    const bytes = this.bytes.subarray(this.pos, end)
    this.pos = end + 1
    return bytes
  }

  private lineEnd(): number {
    const end = this.bytes.indexOf(0x0a, this.pos)
    if (end < 0) throw badFile('The pickle inside the file is cut short or damaged.')
    return end
  }

  private text(n: number): string {
    try {
      return this.decoded(this.take(n), this.utf8)
    } catch (err) {
      if (err instanceof TypeError) throw badFile('A text inside the file is not valid UTF-8.')
      throw err
    }
  }

  /**
   * Text from the file, refused past MAX_TEXT_BYTES before it is decoded: a string past V8's
   * longest (512 MB) fails to decode, and Node's Latin-1 decoder then ends the whole process.
   */
  private decoded(bytes: Uint8Array, decoder: { decode(bytes: Uint8Array): string }): string {
    this.withinTextBudget(bytes.length)
    return decoder.decode(bytes)
  }

  private withinTextBudget(bytes: number): void {
    if (bytes <= MAX_TEXT_BYTES) return
    throw labError(
      'CHECKPOINT_UNSAFE',
      `This file holds a text of ${Math.ceil(bytes / 2 ** 20).toLocaleString('en')} MB, beyond TorchLab's budget for one text (${MAX_TEXT_BYTES / 2 ** 20} MB); no real checkpoint holds one, so TorchLab refuses it.`,
    )
  }

  private long(bytes: Uint8Array): number | bigint {
    if (bytes.length === 0) return 0
    let v = 0n
    for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i])
    if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(bytes.length * 8)
    return Number.isSafeInteger(Number(v)) ? Number(v) : v
  }

  private protocol0Int(opcode: 'INT' | 'LONG'): number | bigint | boolean {
    const line = this.line()
    const value = protocol0Int(line, opcode)
    if (value === undefined) {
      throw badFile(
        `The pickle inside the file writes an integer as "${line.slice(0, 40)}", not as the plain decimal pickle writes; Python reads such a spelling by C's rules (010 as 8), which TorchLab does not copy.`,
      )
    }
    return value
  }

  private parseIndex(s: string): number {
    const n = Number(s)
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(n)) throw badFile('The pickle inside the file is malformed (a memo index is not a number).')
    return n
  }
}
