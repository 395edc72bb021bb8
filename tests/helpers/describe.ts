/** Turns what readPth returns into the JSON form the fixtures' .json files use. */
import { PyDict, PyTuple, type PyValue } from '../../src/main/lab/checkpoint/pickle/values'
import { Tensor } from '../../src/main/lab/checkpoint/tensor'

export function describeValue(value: PyValue): unknown {
  if (value instanceof Tensor) {
    return { tensor: true, dtype: value.dtype, shape: value.shape, values: Array.from(value.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v)) }
  }
  if (value instanceof PyDict) {
    const keys = [...value.entries.keys()].map(String)
    return { dict: true, keys, items: Object.fromEntries([...value.entries].map(([k, v]) => [String(k), describeValue(v)])) }
  }
  if (value instanceof PyTuple) return value.items.map(describeValue)
  if (Array.isArray(value)) return value.map(describeValue)
  if (typeof value === 'bigint') return Number(value)
  return value
}
