/**
 * A state_dict as named float32 tensors in PyTorch's order, and its JSON form
 * ({name: nested arrays}, as `tensor.tolist()` prints it).
 */
import type { NestedNumbers, StateDictJson } from '../../../shared/schemas'
import { labError } from '../../../shared/errors'

export interface NamedTensor {
  name: string
  shape: number[]
  data: Float32Array
}

export type StateDict = NamedTensor[]

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

function shapeOf(value: NestedNumbers): number[] {
  return Array.isArray(value) ? [value.length, ...(value.length > 0 ? shapeOf(value[0]) : [])] : []
}

function flattenInto(value: NestedNumbers, out: number[], name: string): void {
  if (Array.isArray(value)) for (const v of value) flattenInto(v, out, name)
  else if (typeof value === 'number' && Number.isFinite(value)) out.push(value)
  else throw labError('WEIGHTS_MISMATCH', `"${name}" holds ${JSON.stringify(value)}, which is not a finite number.`, { key: name })
}

/** Checks names and shapes against the model's own, and reports every mismatch as load_state_dict does. */
export function stateDictFromJson(json: StateDictJson, expected: readonly { name: string; shape: number[] }[]): StateDict {
  const problems: string[] = []
  const missing = expected.filter((e) => !(e.name in json)).map((e) => e.name)
  const unexpected = Object.keys(json).filter((k) => !expected.some((e) => e.name === k))
  if (missing.length) problems.push(`Missing key(s): ${missing.map((k) => `"${k}"`).join(', ')}.`)
  if (unexpected.length) problems.push(`Unexpected key(s): ${unexpected.map((k) => `"${k}"`).join(', ')}.`)
  const result: StateDict = []
  for (const { name, shape } of expected) {
    if (!(name in json)) continue
    const values: number[] = []
    flattenInto(json[name], values, name)
    const given = shapeOf(json[name])
    if (given.join(',') !== shape.join(',') || values.length !== numel(shape)) {
      problems.push(
        `size mismatch for ${name}: copying a param with shape [${given.join(', ')}], the shape in the current model is [${shape.join(', ')}].`,
      )
      continue
    }
    result.push({ name, shape: [...shape], data: Float32Array.from(values) })
  }
  if (problems.length) {
    throw labError('WEIGHTS_MISMATCH', `The starting weights do not fit this model. ${problems.join(' ')}`, {
      key: missing[0] ?? unexpected[0],
    })
  }
  return result
}

export function cloneStateDict(sd: StateDict): StateDict {
  return sd.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.slice() }))
}

export function isFinite(sd: StateDict): boolean {
  return sd.every((t) => t.data.every((v) => Number.isFinite(v)))
}
