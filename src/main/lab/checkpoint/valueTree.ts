/**
 * Everything torch.load would give, as a tree of paths (`models.1.hidden1.weight`,
 * `optimizer_state_dict.state.0.momentum_buffer`), and the state_dicts found in it. The walk is
 * iterative, pays every node from the file's budget and shows a shared object once (later
 * references point to its first path), so a file of shared references costs what it weighs.
 */
import type { ValueNode } from '../../../shared/api'
import { assertNever } from '../../../shared/exhaustive'
import type { Budget } from './budget'
import { badFile } from './errors'
import { ClassRef, MAX_NESTING, PyDict, PyObject, PySet, PyTuple, ReprKey, type PyValue } from './pickle/values'
import { PyReprValue } from './reprValue'
import { Tensor } from './tensor'

/** more rows than a student reads; the walk goes on (to find every state_dict) without listing them */
const MAX_LISTED = 2000
const SHOWN_CHARS = 200

export interface StateDictAt {
  path: string
  dict: PyDict
}

export interface ValueTree {
  nodes: ValueNode[]
  /** nodes walked but not listed */
  omitted: number
  stateDicts: StateDictAt[]
}

export function isStateDict(value: PyValue): value is PyDict {
  return value instanceof PyDict && value.entries.size > 0 && [...value.entries].every(([k, v]) => typeof k === 'string' && v instanceof Tensor)
}

/** a float as Python's repr writes it: shortest digits, exponent form below 1e-4 and from 1e16 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  if (Object.is(x, -0)) return '-0.0'
  const [mantissa, exp] = x.toExponential().split('e')
  const e = Number(exp)
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
  return Number.isInteger(x) ? `${x.toFixed(0)}.0` : String(x)
}

/** a float32 with the fewest digits that read back as the same float32, as torch prints it */
function float32Text(x: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const shorter = Number(x.toPrecision(digits))
    if (Math.fround(shorter) === x) return pyFloat(shorter)
  }
  return pyFloat(x)
}

export function quoted(s: string): string {
  const cut = s.length > SHOWN_CHARS ? `${s.slice(0, SHOWN_CHARS)}…` : s
  return `'${cut.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'${s.length > SHOWN_CHARS ? ` (${s.length.toLocaleString('en')} characters)` : ''}`
}

function keyText(key: unknown): string {
  if (key === null) return 'None'
  if (typeof key === 'boolean') return key ? 'True' : 'False'
  if (typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint' || key instanceof ReprKey) return String(key)
  return '<key>'
}

/**
 * A leaf as torch.load would give it. The reader keeps Python's ints and floats as numbers, so a
 * float with an integral value (3.0) reads as the int 3.
 */
function leaf(value: PyValue): Pick<ValueNode, 'type' | 'summary'> {
  if (value === null) return { type: 'None', summary: 'None' }
  if (typeof value === 'boolean') return { type: 'bool', summary: value ? 'True' : 'False' }
  if (typeof value === 'bigint') return { type: 'int', summary: String(value) }
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'int', summary: String(value) } : { type: 'float', summary: pyFloat(value) }
  if (typeof value === 'string') return { type: 'str', summary: quoted(value) }
  if (value instanceof Uint8Array) return { type: 'bytes', summary: `${value.length.toLocaleString('en')} bytes` }
  if (value instanceof ClassRef) return { type: 'class', summary: `<class '${value.qualified}'> (named, never loaded)` }
  if (value instanceof PyObject) return { type: 'object', summary: `a ${value.cls.qualified} object (recorded, never constructed)` }
  if (value instanceof PyReprValue) return { type: value.pyKind, summary: value.repr }
  return { type: 'pyKind' in value ? String(value.pyKind) : 'value', summary: '' }
}

/** a one-element tensor's value as torch prints it: an integer as an integer (BatchNorm1d's num_batches_tracked read 1600.0) */
function scalarText(t: Tensor): string {
  const first = t.data[0]
  switch (t.dtype) {
    case 'bool':
      return first ? 'True' : 'False'
    case 'int64':
    case 'int32':
    case 'int16':
    case 'int8':
    case 'uint8':
      return String(first)
    case 'float32':
    case 'float16':
    case 'bfloat16':
      return float32Text(Number(first))
    case 'float64':
      return pyFloat(Number(first))
    default:
      return assertNever(t.dtype, 'dtype')
  }
}

function tensorNode(path: string, name: string, depth: number, t: Tensor): ValueNode {
  // a 0-dim or one-element tensor (Adam's step, a saved loss) is worth its value
  const value = t.numel !== 1 ? '' : ` = ${scalarText(t)}`
  return { path, name, depth, type: 'tensor', summary: `${t.dtype} [${t.shape.join(', ')}]${value}`, dtype: t.dtype, shape: [...t.shape] }
}

function children(value: PyDict | PyValue[] | PyTuple | PySet): [string, PyValue][] {
  if (value instanceof PyDict) return [...value.entries].map(([k, v]) => [keyText(k), v])
  const items = Array.isArray(value) ? value : value.items
  return items.map((v, i) => [String(i), v])
}

function containerType(value: PyDict | PyValue[] | PyTuple | PySet): string {
  if (value instanceof PyDict) return value.kind
  if (Array.isArray(value)) return 'list'
  return value instanceof PyTuple ? 'tuple' : value.frozen ? 'frozenset' : 'set'
}

export function valueTree(root: PyValue, budget: Budget): ValueTree {
  const nodes: ValueNode[] = []
  const stateDicts: StateDictAt[] = []
  const seen = new Map<object, string>()
  let omitted = 0
  const stack: [string, string, number, PyValue, boolean][] = [['', '', 0, root, false]]
  while (stack.length) {
    const [path, name, depth, value, perParameter] = stack.pop()!
    if (depth > MAX_NESTING) throw badFile('The file nests values more deeply than any checkpoint does.')
    budget.spend('expandedValues', 1)
    const list = (node: ValueNode) => (nodes.length < MAX_LISTED ? nodes.push(node) : omitted++)
    const container = value instanceof PyDict || Array.isArray(value) || value instanceof PyTuple || value instanceof PySet
    if (container && seen.has(value)) {
      list({ path, name, depth, type: 'reference', summary: `the same ${containerType(value)} as ${seen.get(value) || 'the whole file'}` })
      continue
    }
    if (value instanceof Tensor) {
      list(tensorNode(path, name, depth, value))
      continue
    }
    if (!container) {
      list({ path, name, depth, ...leaf(value) })
      continue
    }
    seen.set(value, path)
    const items = children(value)
    // an optimizer's per-parameter state ({0: {momentum_buffer: …}}) is keyed by parameter ids: not weights
    const stateDict = isStateDict(value) && !perParameter
    if (stateDict) stateDicts.push({ path, dict: value })
    list({ path, name, depth, type: containerType(value), summary: `${items.length} item${items.length === 1 ? '' : 's'}${stateDict ? ', a state_dict' : ''}`, ...(stateDict ? { stateDict: true } : {}) })
    const byId = value instanceof PyDict && [...value.entries.keys()].every((k) => typeof k === 'number' || typeof k === 'bigint')
    for (let i = items.length - 1; i >= 0; i--) stack.push([path === '' ? items[i][0] : `${path}.${items[i][0]}`, items[i][0], depth + 1, items[i][1], byId])
  }
  return { nodes, omitted, stateDicts }
}
