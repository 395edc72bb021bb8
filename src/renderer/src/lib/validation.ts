/** The builder's checks, from the same schemas the lab validates with, as the lab's own sentences (shared/issueSentence.ts). */
import { issueSentences, studentSentences } from '../../../shared/issueSentence'
import { modelArchSchema, trainConfigSchema, type ModelArch, type TrainConfigInput } from '../../../shared/schemas'

export function builderErrors(arch: ModelArch, train: TrainConfigInput): string[] {
  return [modelArchSchema.safeParse(arch, { error: studentSentences }), trainConfigSchema.safeParse(train, { error: studentSentences })].flatMap((result) =>
    result.success ? [] : issueSentences(result.error),
  )
}
