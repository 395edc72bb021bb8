import { labError } from '../../../../shared/errors'
import type { Budget } from '../budget'

/**
 * Python values as the unpickler builds them and the pickler writes them. Nothing here can
 * run: a class named by a file is only a name (ClassRef), and an object of it only data.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | ClassRef
  | PyObject
  | PyValue_Extension

/** Values a layer above the pickle machine adds (tensors, storages); opaque to the VM. */
export interface PyValue_Extension {
  readonly pyKind: string
}

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen: boolean,
  ) {}
}

/** A dict key Python compares by value and JavaScript would compare by identity (a tuple, bytes): its repr stands for it. */
export class ReprKey {
  constructor(readonly repr: string) {}

  toString(): string {
    return this.repr
  }
}

export class PyDict {
  /** the key of each repr already in this dict, so that two equal tuples are one key */
  private reprKeys?: Map<string, ReprKey>

  /** 'OrderedDict' or 'defaultdict' when built by collections' (a defaultdict's factory is never called) */
  constructor(
    readonly entries: Map<unknown, PyValue> = new Map(),
    readonly kind: 'dict' | 'OrderedDict' | 'defaultdict' = 'dict',
  ) {}

  /** d[key] = value as Python sets it: keys that compare equal (1 and True, equal tuples) are one key, the first one kept in its place */
  set(key: PyValue, value: PyValue, budget: Budget): void {
    const hashed = dictKey(key, budget)
    let k = hashed
    if (hashed instanceof ReprKey) {
      this.reprKeys ??= new Map()
      const first = this.reprKeys.get(hashed.repr) ?? hashed
      this.reprKeys.set(first.repr, first)
      k = first
    } else if (typeof k === 'boolean' && this.entries.has(Number(k))) {
      k = Number(k)
    } else if ((k === 0 || k === 1) && this.entries.has(k === 1)) {
      k = k === 1
    }
    this.entries.set(k, value)
  }

  /** d[key] as Python finds it: 1 finds the entry of True, and True that of 1 (they are equal, with one hash) */
  get(key: PyValue): PyValue | undefined {
    const found = this.entries.get(key)
    if (found !== undefined || !(key === 0 || key === 1 || typeof key === 'boolean')) return found
    return this.entries.get(typeof key === 'boolean' ? Number(key) : key === 1)
  }
}

export class ClassRef {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualified(): string {
    return `${this.module}.${this.name}`
  }
}

/** An instance of a class the file names, recorded as data: never constructed, never called. */
export class PyObject {
  state: PyValue = null

  constructor(
    readonly cls: ClassRef,
    readonly args: PyValue[],
  ) {}
}

/** No checkpoint nests values this deep; a file that does is refused, wherever its depth is found. */
export const MAX_NESTING = 500

/** A tuple key longer than this, written out, is no checkpoint's: it is refused, never built. */
export const MAX_KEY_CHARS = 4096

const tupleKeys = new WeakMap<PyTuple, string>()
const objectIds = new WeakMap<object, number>()
let lastObjectId = 0

/** an object inside a tuple key compares by identity, as Python's default hash does */
function objectId(value: object): string {
  let id = objectIds.get(value)
  if (id === undefined) {
    id = ++lastObjectId
    objectIds.set(value, id)
  }
  return `<object ${id}>`
}

function unhashable(value: PyValue): boolean {
  return Array.isArray(value) || value instanceof PyDict || (value instanceof PySet && !value.frozen)
}

/** bytes as Python writes them (b'ab\\x00'), refused past MAX_KEY_CHARS like a tuple */
function bytesRepr(bytes: Uint8Array, budget: Budget): string {
  if (bytes.length > MAX_KEY_CHARS) {
    throw labError('CHECKPOINT_INVALID', `A dictionary key in the file is ${bytes.length.toLocaleString('en')} bytes long, beyond TorchLab's budget for keys (${MAX_KEY_CHARS} characters); no checkpoint has one.`)
  }
  let text = ''
  for (const b of bytes) {
    if (b === 0x5c || b === 0x27) text += `\\${String.fromCharCode(b)}`
    else if (b >= 0x20 && b < 0x7f) text += String.fromCharCode(b)
    else text += `\\x${b.toString(16).padStart(2, '0')}`
  }
  budget.spend('keyChars', text.length + 3)
  return `b'${text}'`
}

function scalarKey(value: PyValue): string | undefined {
  if (value === null) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value === 'string') return JSON.stringify(value)
  return undefined
}

/**
 * A tuple as a Map key: its Python repr, built bottom-up without recursion and cached per
 * tuple, so a shared or deeply nested tuple costs its own length once, never its expansion.
 */
function tupleKey(root: PyTuple, budget: Budget): string {
  const stack: PyTuple[] = [root]
  while (stack.length) {
    const tuple = stack[stack.length - 1]
    if (tupleKeys.has(tuple)) {
      stack.pop()
      continue
    }
    const pending = tuple.items.filter((item): item is PyTuple => item instanceof PyTuple && !tupleKeys.has(item))
    if (pending.length) {
      stack.push(...pending)
      continue
    }
    const parts: string[] = []
    let length = 2
    for (const item of tuple.items) {
      if (unhashable(item)) throw badKey(item)
      const part = item instanceof PyTuple ? tupleKeys.get(item)! : item instanceof Uint8Array ? bytesRepr(item, budget) : (scalarKey(item) ?? objectId(item as object))
      length += part.length + 2
      if (length > MAX_KEY_CHARS) {
        throw labError('CHECKPOINT_INVALID', `A dictionary key in the file is a tuple longer than ${MAX_KEY_CHARS} characters written out, beyond TorchLab's budget for keys; no checkpoint has one.`)
      }
      parts.push(part)
    }
    budget.spend('keyChars', length)
    tupleKeys.set(tuple, parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`)
    stack.pop()
  }
  return tupleKeys.get(root)!
}

function badKey(value: PyValue): Error {
  const what = Array.isArray(value) ? 'a list' : value instanceof PyDict ? 'a dict' : 'a set'
  return labError('CHECKPOINT_INVALID', `A dictionary key in the file is ${what}, which Python cannot use as a key (it is unhashable).`)
}

/** Dict keys as JS Map keys: Python ints, strings, bools and None compare by value; a tuple or bytes by its repr. */
function dictKey(value: PyValue, budget: Budget): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value
  if (value instanceof PyTuple) return new ReprKey(tupleKey(value, budget))
  if (value instanceof Uint8Array) return new ReprKey(bytesRepr(value, budget))
  if (unhashable(value)) throw badKey(value)
  return value
}
