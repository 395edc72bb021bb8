/** JSON-like metadata <-> Python values, for TorchLab's own entries in a checkpoint. */
import { PyDict, type PyValue } from './pickle/values'

export function jsonToPy(value: unknown): PyValue {
  if (value === undefined || value === null) return null
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value
  if (Array.isArray(value)) return value.map(jsonToPy)
  if (typeof value === 'object') {
    return new PyDict(new Map(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, jsonToPy(v)])))
  }
  throw new Error(`cannot store ${typeof value} in a checkpoint`)
}
