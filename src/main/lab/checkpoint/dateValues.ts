/**
 * Dates and times a training script saved beside its weights ('saved_at': datetime.now(), an
 * elapsed timedelta), which torch.load(weights_only=False) reads through Python's datetime.
 * TorchLab refused the whole checkpoint for them ("asks to run datetime.datetime"). It now reads
 * each from its pickled state (CPython's datetime __reduce__: packed bytes, or the timedelta's
 * three ints), calls nothing, and keeps it as data shown by its Python repr.
 */
import { badFile } from './errors'
import type { PyValue } from './pickle/values'
import { PyReprValue } from './reprValue'

export type DateKind = 'datetime.datetime' | 'datetime.date' | 'datetime.time' | 'datetime.timedelta' | 'datetime.timezone'

function packed(kind: DateKind, value: PyValue, length: number): Uint8Array {
  if (value instanceof Uint8Array && value.length === length) return value
  throw badFile(`A ${kind} in the file holds a state that is not ${length} packed bytes.`)
}

function int(kind: DateKind, value: PyValue): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  throw badFile(`A ${kind} in the file holds a part that is not a whole number.`)
}

/** hour, minute, second and microsecond, as repr() leaves out a trailing zero second and microsecond */
function clock(b: Uint8Array, at: number): number[] {
  // a protocol 4 pickle sets the top bit of the hour (or month) for fold=1
  const [h, m, s] = [b[at] & 0x7f, b[at + 1], b[at + 2]]
  const us = (b[at + 3] << 16) | (b[at + 4] << 8) | b[at + 5]
  return us ? [h, m, s, us] : s ? [h, m, s] : [h, m]
}

function withZone(kind: DateKind, parts: number[], zone: PyValue | undefined): string {
  if (zone === undefined || zone === null) return `${kind}(${parts.join(', ')})`
  if (zone instanceof PyReprValue && (zone.pyKind === 'datetime.timezone' || zone.pyKind === 'zoneinfo.ZoneInfo')) return `${kind}(${parts.join(', ')}, tzinfo=${zone.repr})`
  throw badFile(`A ${kind} in the file has a time zone TorchLab does not read (only datetime.timezone offsets and zoneinfo.ZoneInfo zones).`)
}

export function dateValue(kind: DateKind, args: PyValue[]): PyReprValue {
  switch (kind) {
    case 'datetime.datetime': {
      const b = packed(kind, args[0], 10)
      return new PyReprValue(kind, withZone(kind, [(b[0] << 8) | b[1], b[2] & 0x7f, b[3], ...clock(b, 4)], args[1]))
    }
    case 'datetime.date': {
      const b = packed(kind, args[0], 4)
      return new PyReprValue(kind, `${kind}(${(b[0] << 8) | b[1]}, ${b[2]}, ${b[3]})`)
    }
    case 'datetime.time':
      return new PyReprValue(kind, withZone(kind, clock(packed(kind, args[0], 6), 0), args[1]))
    case 'datetime.timedelta': {
      const [days, seconds, microseconds] = [0, 1, 2].map((i) => int(kind, args[i] ?? 0))
      const parts = Object.entries({ days, seconds, microseconds }).filter(([, v]) => v !== 0)
      return new PyReprValue(kind, `${kind}(${parts.length ? parts.map(([k, v]) => `${k}=${v}`).join(', ') : '0'})`)
    }
    case 'datetime.timezone': {
      const offset = args[0]
      if (!(offset instanceof PyReprValue) || offset.pyKind !== 'datetime.timedelta') throw badFile('A datetime.timezone in the file has no timedelta offset.')
      if (args[1] !== undefined && typeof args[1] !== 'string') throw badFile('A datetime.timezone in the file has a name that is not text.')
      if (offset.repr === 'datetime.timedelta(0)' && args[1] === undefined) return new PyReprValue(kind, 'datetime.timezone.utc')
      return new PyReprValue(kind, `${kind}(${offset.repr}${args[1] === undefined ? '' : `, '${args[1]}'`})`)
    }
  }
}
