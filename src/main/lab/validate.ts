/** Zod issues turned into one sentence a student can act on. */
import type { z } from 'zod'
import { labError } from '../../shared/errors'

export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.join('.')
    return where ? `${where}: ${issue.message}` : issue.message
  })
  throw labError('INVALID_ARGUMENT', `Invalid ${what}. ${problems.join(' ')}`)
}
