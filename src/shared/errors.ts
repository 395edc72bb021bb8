/**
 * Errors are values a student can read: a code the UI can react to, a sentence, and where it
 * applies the row, column, key, epoch or step. They cross process boundaries as plain objects.
 */
export const ERROR_CODES = [
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'FILE_UNWRITABLE',
  'CSV_EMPTY',
  'CSV_NO_ROWS',
  'CSV_RAGGED_ROW',
  'CSV_BAD_NUMBER',
  'COLUMN_NOT_FOUND',
  'COLUMN_NOT_NUMERIC',
  'NO_FEATURES',
  'TOO_FEW_ROWS',
  'INVALID_ARGUMENT',
  'UNKNOWN_DATASET',
  'UNKNOWN_RUN',
  'RUN_BUSY',
  'WEIGHTS_MISMATCH',
  'CHECKPOINT_INVALID',
  'CHECKPOINT_UNSAFE',
  'CHECKPOINT_UNSUPPORTED',
  'ENGINE_FAILED',
  'TOO_LARGE',
  'LESSON_INVALID',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface LabErrorInfo {
  code: ErrorCode
  message: string
  /** 1-based data row (the header is not counted) */
  row?: number
  /** the line of a file (a CSV, a lesson), counted as an editor counts it: from 1, a header included */
  line?: number
  column?: string
  key?: string
  epoch?: number
  step?: number
}

export class LabError extends Error {
  readonly info: LabErrorInfo

  constructor(info: LabErrorInfo) {
    super(info.message)
    this.name = 'LabError'
    this.info = info
  }

  static is(value: unknown): value is LabError {
    return value instanceof LabError
  }
}

/**
 * A LabErrorInfo that crossed a structured clone (a worker's postMessage, IPC) arrives as a
 * plain object, no longer a LabError: it is recognised by its shape so it keeps its words.
 */
export function isLabErrorInfo(value: unknown): value is LabErrorInfo {
  if (typeof value !== 'object' || value === null) return false
  const { code, message } = value as Record<string, unknown>
  return typeof message === 'string' && (ERROR_CODES as readonly unknown[]).includes(code)
}

/** an error's own message, whatever was thrown */
export function messageIn(err: unknown): string {
  if (err instanceof Error) return err.message
  const message = (err as { message?: unknown } | null | undefined)?.message
  return typeof message === 'string' ? message : String(err)
}

/** what a student can do about a fault that is TorchLab's own, said after its words (a teacher reporting it needs them) */
export const INTERNAL_ADVICE = 'This is a fault in TorchLab, not in your data or settings: try again, and if it happens again, tell your teacher what you did.'

/** Turns anything thrown into an error a student can read; unknown faults keep only their message, and say what to do. */
export function toErrorInfo(err: unknown): LabErrorInfo {
  if (err instanceof LabError) return err.info
  if (isLabErrorInfo(err)) return err
  const words = messageIn(err).trim().replace(/\.$/, '')
  return { code: 'INTERNAL', message: `Something went wrong inside TorchLab: ${words}. ${INTERNAL_ADVICE}` }
}

export function labError(code: ErrorCode, message: string, extra: Omit<LabErrorInfo, 'code' | 'message'> = {}): LabError {
  return new LabError({ code, message, ...extra })
}
