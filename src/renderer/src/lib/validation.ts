/** The builder's checks, from the same schemas the lab validates with, as sentences per field. */
import { modelArchSchema, trainConfigSchema, type ModelArch, type TrainConfigInput } from '../../../shared/schemas'

const FIELD_NAMES: Record<string, string> = {
  outFeatures: 'out_features',
  lr: 'Learning rate',
  momentum: 'Momentum',
  weightDecay: 'Weight decay',
  epochs: 'Epochs',
  batchSize: 'Batch size',
  seed: 'Seed',
  huberDelta: 'Huber delta',
  smoothL1Beta: 'SmoothL1 beta',
}

export function builderErrors(arch: ModelArch, train: TrainConfigInput): string[] {
  const messages: string[] = []
  for (const result of [modelArchSchema.safeParse(arch), trainConfigSchema.safeParse(train)]) {
    if (result.success) continue
    for (const issue of result.error.issues) {
      const field = [...issue.path].reverse().find((p) => typeof p === 'string') as string | undefined
      // layers are numbered from 0, as their state_dict keys are
      const layer = issue.path[0] === 'layers' && typeof issue.path[1] === 'number' ? `Layer ${issue.path[1]}: ` : ''
      const message = issue.code === 'invalid_type' ? 'must be a number' : issue.message
      messages.push(`${layer}${field ? (FIELD_NAMES[field] ?? field) : 'Model'} — ${message}`)
    }
  }
  return messages
}
