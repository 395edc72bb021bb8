/**
 * A state_dict as named tensors in PyTorch's order — parameters and buffers, values held as
 * float32, and int64 counts (BatchNorm1d's num_batches_tracked) as float64, which counts
 * exactly to 2^53 where float32 stops at 2^24 — and its JSON form ({name: nested arrays}, as
 * `tensor.tolist()` prints it).
 */
import type { NestedNumbers, StateDictJson } from '../../../shared/schemas'
import { labError } from '../../../shared/errors'
import { stateDictMismatches } from '../../../shared/modelSpec'

export type NamedTensor = {
  name: string
  shape: number[]
  /** a buffer, which the optimizer does not update */
  buffer?: true
} & (
  | { data: Float32Array; dtype?: undefined }
  /** int64 in a file (num_batches_tracked): a count held in double precision, exact up to 2^53 as float32 is only to 2^24 */
  | { data: Float64Array; dtype: 'int64' }
)

interface ExpectedEntry {
  name: string
  shape: number[]
  dtype?: string
  buffer?: boolean
}
type Expected = readonly ExpectedEntry[]

/** values given from anywhere (a file, JSON, another dtype) */
type GivenTensor = { name: string; shape: number[]; data: ArrayLike<number> }

/** an entry with its values in the array its dtype is held in (the same array when it already is one) */
export function namedTensor(entry: ExpectedEntry, values: ArrayLike<number>): NamedTensor {
  // built as literals, not spreads: a training loop takes a state_dict every epoch, and a spread costs ten times as much
  const { name, shape } = entry
  const tensor: NamedTensor =
    entry.dtype === 'int64'
      ? { name, shape, dtype: 'int64', data: values instanceof Float64Array ? values : Float64Array.from(values) }
      : { name, shape, data: values instanceof Float32Array ? values : Float32Array.from(values) }
  if (entry.buffer) tensor.buffer = true
  return tensor
}

/** `from`'s values into `to`'s arrays: the same entries, in the same order */
export function copyValues(from: StateDict, to: StateDict): void {
  for (let i = 0; i < from.length; i++) to[i].data.set(from[i].data)
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false
  return true
}

/**
 * A count's largest magnitude: held in double precision, a count is exact below 2^53, and from
 * 2^52 no run could take enough steps to reach that.
 */
const COUNT_LIMIT = 2 ** 52

/** why a count (int64 in torch) cannot be carried exactly, if it cannot */
function countProblem(name: string, values: ArrayLike<number>): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!Number.isInteger(v)) return `"${name}" is a count, but holds ${v}, which is not a whole number.`
    // the value itself is not shown: past 2^53 it is no longer the one in the file
    if (Math.abs(v) > COUNT_LIMIT) return `"${name}" holds a count beyond ${COUNT_LIMIT} (2^52), past what TorchLab keeps exact.`
  }
  return undefined
}

export type StateDict = NamedTensor[]

/** the parameters alone, as model.parameters() yields them */
export function parametersOf(sd: StateDict): StateDict {
  return sd.filter((t) => !t.buffer)
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

function nest(data: ArrayLike<number>, shape: readonly number[], offset: number): NestedNumbers {
  if (shape.length === 0) return data[offset]
  const [head, ...rest] = shape
  const stride = numel(rest)
  return Array.from({ length: head }, (_, i) => nest(data, rest, offset + i * stride))
}

export function toNested(data: ArrayLike<number>, shape: readonly number[]): NestedNumbers {
  return nest(data, shape, 0)
}

export function stateDictToJson(sd: StateDict): StateDictJson {
  return Object.fromEntries(sd.map((t) => [t.name, toNested(t.data, t.shape)]))
}

/** torch.tensor's limit ("too many dimensions"): it bounds the depth flattenInto recurses to */
const MAX_DIMS = 128

/** the shape the first entry at each depth gives */
function shapeOf(value: NestedNumbers, name: string): number[] {
  const shape: number[] = []
  for (let v = value; Array.isArray(v); v = v[0]) {
    if (shape.length === MAX_DIMS) {
      throw labError('WEIGHTS_MISMATCH', `"${name}" nests lists more than ${MAX_DIMS} deep, and a tensor has at most ${MAX_DIMS} dimensions (torch.tensor refuses it too).`, { key: name })
    }
    shape.push(v.length)
    if (v.length === 0) break
  }
  return shape
}

/** what a JSON value is, as a sentence shows it: JSON.stringify would print 1e400 (Infinity) as null */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value)
}

/**
 * The values in row-major order, every array as long as the first one at its depth (`shape`) and
 * numbers only at the innermost one: a ragged list has no shape, and torch.tensor refuses it.
 */
function flattenInto(value: NestedNumbers, shape: readonly number[], depth: number, out: number[], name: string): void {
  if (depth < shape.length) {
    if (!Array.isArray(value) || value.length !== shape[depth]) {
      throw labError(
        'WEIGHTS_MISMATCH',
        `"${name}" is not a rectangular array: its first rows make it [${shape.join(', ')}], but ${Array.isArray(value) ? `a list at depth ${depth + 1} holds ${value.length} entries, not ${shape[depth]}` : `${shown(value)} stands where a list of ${shape[depth]} belongs`}. torch.tensor refuses such a list too.`,
        { key: name },
      )
    }
    for (const v of value) flattenInto(v, shape, depth + 1, out, name)
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    out.push(value)
  } else if (Array.isArray(value)) {
    throw labError('WEIGHTS_MISMATCH', `"${name}" is not a rectangular array: its first rows make it [${shape.join(', ')}], but it holds a list where a number belongs. torch.tensor refuses such a list too.`, { key: name })
  } else {
    throw labError('WEIGHTS_MISMATCH', `"${name}" holds ${shown(value)}, which is not a finite number.`, { key: name })
  }
}

/** Checks names and shapes against the model's own, and reports every mismatch as load_state_dict does. */
export function matchStateDict(given: readonly GivenTensor[], expected: Expected, source: string): StateDict {
  const problems = stateDictMismatches(given, expected)
  const bad = given.find((t) => !allFinite(t.data))
  if (bad) problems.push(`"${bad.name}" holds NaN or infinite values.`)
  else {
    const counts = new Set(expected.filter((e) => e.dtype === 'int64').map((e) => e.name))
    for (const t of given) {
      const problem = counts.has(t.name) ? countProblem(t.name, t.data) : undefined
      if (problem) problems.push(problem)
    }
  }
  if (problems.length) {
    const firstKey = [...expected.map((e) => e.name), ...given.map((t) => t.name)].find((k) => problems.some((p) => p.includes(`"${k}"`) || p.includes(` ${k}:`)))
    throw labError('WEIGHTS_MISMATCH', `The weights in ${source} do not fit this model. ${problems.join(' ')}`, { key: firstKey })
  }
  const byName = new Map(given.map((t) => [t.name, t]))
  return expected.map((entry) => namedTensor(entry, byName.get(entry.name)!.data))
}

/** JSON {name: nested arrays} -> a state_dict checked against the model */
export function stateDictFromJson(json: StateDictJson, expected: Expected): StateDict {
  // plain numbers until matched: a count is held in double precision, weights in float32
  const given = Object.entries(json).map(([name, value]) => {
    const values: number[] = []
    const shape = shapeOf(value, name)
    flattenInto(value, shape, 0, values, name)
    return { name, shape, data: values }
  })
  return matchStateDict(given, expected, 'the starting weights')
}
