import type { PyValue_Extension } from './pickle/values'

/**
 * A Python value a file may hold beside its weights (a date, a complex number, a time zone) that
 * TorchLab reads from its pickled state without calling anything, and keeps as data: the text
 * Python's repr() gives it, which is all a student is shown of it.
 */
export class PyReprValue implements PyValue_Extension {
  constructor(
    readonly pyKind: ReprKind,
    readonly repr: string,
  ) {}
}

export type ReprKind =
  | 'datetime.datetime'
  | 'datetime.date'
  | 'datetime.time'
  | 'datetime.timedelta'
  | 'datetime.timezone'
  | 'zoneinfo.ZoneInfo'
  | 'complex'
