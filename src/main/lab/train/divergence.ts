/**
 * When a run has really blown up. Not "a million times the first batch's loss": fine-tuning a
 * model that already fits starts near zero, and any ordinary loss would then stop a healthy
 * run. The bound comes from the data instead: a model that has learned nothing (a constant
 * prediction: zero or the target's mean; for classes, equal odds) has a loss of the data's own
 * scale, and a loss a million times beyond that is no longer learning. Non-finite losses or
 * weights have blown up whatever the scale.
 */
import type { LossSpec } from '../../../shared/catalog/losses'
import type { Split } from '../data/dataset'
import type { StateDict } from '../model/stateDict'

/**
 * How far beyond the scale of a constant prediction a loss may go. With lr 0.08 the course's
 * model reaches 1e19 before float32 overflows (skorch reports an r² of −4.7e19); this stops it
 * long before, and never stops a run whose loss stays within reach of the data.
 */
export const EXPLOSION_FACTOR = 1e6

/** the loss of the better-behaved of two constant predictions, at least 1e-12 so a constant target still has a bound */
export function constantPredictionLoss(spec: LossSpec, train: Split): number {
  const { y, n } = train
  if (n === 0) return 1
  const loss = spec.name
  switch (loss) {
    case 'CrossEntropyLoss': {
      // equal logits for every class
      let classes = 2
      for (let i = 0; i < n; i++) classes = Math.max(classes, y[i] + 1)
      return Math.log(classes)
    }
    case 'BCEWithLogitsLoss':
    case 'BCELoss':
      // a logit of 0, a probability of one half
      return Math.LN2
    case 'MSELoss':
    case 'L1Loss':
    case 'HuberLoss':
    case 'SmoothL1Loss': {
      let mean = 0
      for (let i = 0; i < n; i++) mean += y[i] / n
      const pointwise = elementLoss(loss, spec)
      let atZero = 0
      let atMean = 0
      for (let i = 0; i < n; i++) {
        atZero += pointwise(y[i]) / n
        atMean += pointwise(y[i] - mean) / n
      }
      return Math.max(atZero, atMean, 1e-12)
    }
    default: {
      const unknown: never = loss
      throw new Error(`no divergence bound for the loss ${String(unknown)}`)
    }
  }
}

function elementLoss(loss: 'MSELoss' | 'L1Loss' | 'HuberLoss' | 'SmoothL1Loss', { huberDelta: delta, smoothL1Beta: beta }: LossSpec): (error: number) => number {
  switch (loss) {
    case 'MSELoss':
      return (e) => e * e
    case 'L1Loss':
      return (e) => Math.abs(e)
    case 'HuberLoss':
      return (e) => (Math.abs(e) < delta ? 0.5 * e * e : delta * (Math.abs(e) - 0.5 * delta))
    case 'SmoothL1Loss':
      return (e) => (Math.abs(e) < beta ? (0.5 * e * e) / beta : Math.abs(e) - 0.5 * beta)
  }
}

export function lossBound(spec: LossSpec, train: Split): number {
  return EXPLOSION_FACTOR * constantPredictionLoss(spec, train)
}

export function allFinite(weights: StateDict): boolean {
  for (const { data } of weights) for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return false
  return true
}

/** why a step's loss means the run blew up, or undefined while it is healthy */
export function blowUp(loss: number, bound: number): string | undefined {
  if (Number.isNaN(loss)) return 'became NaN'
  if (!Number.isFinite(loss)) return 'became infinite'
  if (loss > bound) return `reached ${loss.toExponential(2)}, a million times what even a constant prediction loses on this data`
  return undefined
}
