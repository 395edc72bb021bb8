/**
 * The loss landscape of one-feature linear regression: MSELoss over a grid of (w, b), the
 * surface the lr lecture's optimizer walks on. Its path comes from stepRun; the grid from here.
 */
import { z } from 'zod'
import { datasetSpecSchema } from './schemas'

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
