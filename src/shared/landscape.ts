/**
 * The loss landscape of one-feature linear regression: MSELoss over a grid of (w, b), the
 * surface the lr lecture's optimizer walks on. Its path comes from stepRun; the grid from here.
 */
import { z } from 'zod'
import { issueSentences, studentSentences } from './issueSentence'
import { datasetSpecSchema, trainConfigSchema, type ModelArch, type TrainConfigInput } from './schemas'

const finite = z.number().finite()
const range = z
  .strictObject({ min: finite, max: finite })
  .refine((r) => r.min < r.max, { message: 'A range needs min below max, for example {"min": -10, "max": 5}.' })

/** enough cells to see the valley, few enough to draw as SVG without a stutter */
export const LANDSCAPE_MAX_RESOLUTION = 121

export const landscapeRequestSchema = z.strictObject({
  dataset: datasetSpecSchema,
  /** absent: centred on the least-squares minimum, wide enough to hold the usual starting weights */
  w: range.optional(),
  b: range.optional(),
  resolution: z.number().int().min(3).max(LANDSCAPE_MAX_RESOLUTION).default(61),
})
export type LandscapeRequest = z.infer<typeof landscapeRequestSchema>
export type LandscapeRequestInput = z.input<typeof landscapeRequestSchema>

export interface Landscape {
  feature: string
  target: string
  /** grid coordinates, increasing */
  w: number[]
  b: number[]
  /** loss[j][i]: MSELoss (mean over the training rows) at w[i], b[j] */
  loss: number[][]
  /** the closed-form least-squares fit: the bottom of the bowl */
  minimum: { w: number; b: number; loss: number }
  /** smallest and largest loss on the grid, for a colour scale */
  range: { min: number; max: number }
}

/** what the Loss landscape view walks: the window's model, data columns and training settings, with the view's own learning rate */
export interface LandscapeWalk {
  modelKind: ModelArch['kind']
  features: readonly string[]
  target: string | undefined
  train: TrainConfigInput
  lr: number
}

/**
 * Why the landscape cannot be walked with these settings, as a sentence naming the field to
 * change and where it is, or '' when it can. The lab would refuse the same, but as a step request
 * the student never made ("Invalid step request…").
 */
export function landscapeProblem({ modelKind, features, target, train, lr }: LandscapeWalk): string {
  if (modelKind !== 'linear') return 'The loss landscape is drawn for LinearRegressionTorch (one weight and a bias): choose the linear model in the Model panel.'
  if (!target) return 'Choose a target column in the Data panel: the landscape is its loss over the weight and the bias.'
  if (features.length !== 1) {
    return `The loss landscape is drawn over one weight and the bias: choose exactly one feature column in the Data panel (${features.length === 0 ? 'none is chosen' : `${features.length} are chosen`}).`
  }
  const walked = trainConfigSchema.safeParse({ ...train, optimizer: { ...train.optimizer, lr } }, { error: studentSentences })
  if (walked.success) return ''
  const [first] = issueSentences(walked.error)
  // the view's learning rate is its own field; every other setting is the Train panel's
  return walked.error.issues[0].path.includes('lr') ? `${first} Type the learning rate the path walks with beside "Walk the landscape", such as 0.02.` : `${first} Fix it in the Train panel.`
}
