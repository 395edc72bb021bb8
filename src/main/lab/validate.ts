/** A request zod refused, as sentences a student can act on (shared/issueSentence.ts). */
import type { z } from 'zod'
import { labError } from '../../shared/errors'
import { issuesText, studentSentences } from '../../shared/issueSentence'

export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value, { error: studentSentences })
  if (result.success) return result.data
  throw labError('INVALID_ARGUMENT', `Invalid ${what}. ${issuesText(result.error)}`)
}
