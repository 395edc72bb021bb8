/** The system's error code (ENOENT, EACCES, …) of a failed file operation, when it has one. */
export function errnoOf(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}
