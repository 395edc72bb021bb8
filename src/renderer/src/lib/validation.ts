/** The builder's checks, from the same schemas the lab validates with, as sentences per field. */
import { modelArchSchema, trainConfigSchema, type ModelArch, type TrainConfigInput } from '../../../shared/schemas'

const FIELD_NAMES: Record<string, string> = {
  units: 'Units',
  lr: 'Learning rate',
  momentum: 'Momentum',
  weightDecay: 'Weight decay',
  epochs: 'Epochs',
  batchSize: 'Batch size',
  seed: 'Seed',
  huberDelta: 'Huber delta',
}

export function builderErrors(arch: ModelArch, train: TrainConfigInput): string[] {
  const messages: string[] = []
  for (const result of [modelArchSchema.safeParse(arch), trainConfigSchema.safeParse(train)]) {
    if (result.success) continue
    for (const issue of result.error.issues) {
      const field = [...issue.path].reverse().find((p) => typeof p === 'string') as string | undefined
      const layer = issue.path[0] === 'hidden' && typeof issue.path[1] === 'number' ? `Layer ${issue.path[1] + 1}: ` : ''
      const message = issue.code === 'invalid_type' ? 'must be a number' : issue.message
      messages.push(`${layer}${field ? (FIELD_NAMES[field] ?? field) : 'Model'} — ${message}`)
    }
  }
  return messages
}
