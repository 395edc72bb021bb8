/**
 * Random training runs drawn from everything TorchLab accepts, from a seed: a small CSV, a layer
 * stack (Linear, every activation with random arguments, BatchNorm1d with random arguments,
 * Dropout(p=0)), every loss with its arguments, every optimizer with every field, batch sizes
 * that do and do not divide the rows, drop_last, a validation split, scaling, and either starting
 * point (TorchLab's seeded init or a .pth torch wrote). Pure: the same seed gives the same runs.
 */
import { ACTIVATIONS, type ActivationName } from '../../src/shared/catalog/activations'
import { LOSS_TABLE, LOSSES, type LossName } from '../../src/shared/catalog/losses'
import { OPTIMIZERS, type OptimizerName } from '../../src/shared/catalog/optimizers'
import type { LayerSpecInput, TrainRequestInput } from '../../src/shared/schemas'
import { float32Stream } from '../helpers/float32Stream'

export type StartFrom = 'seed' | 'pth' | 'zeros'

export interface FuzzCase {
  index: number
  request: TrainRequestInput
  /** the CSV's text: columns f0…, the target t, and the row's index (never a feature) */
  csv: string
  features: string[]
  classes: number
  start: StartFrom
}

export interface Draw {
  /** uniform in [0, 1) */
  u(): number
  int(lo: number, hi: number): number
  pick<T>(items: readonly T[]): T
  chance(p: number): boolean
  /** log-uniform in [lo, hi) */
  log(lo: number, hi: number): number
  /** a round number, as a student types it */
  round(v: number): number
}

export function draw(seed: number): Draw {
  const next = float32Stream(seed)
  const u = () => (next() + 1) / 2
  const int = (lo: number, hi: number) => Math.min(hi, lo + Math.floor(u() * (hi - lo + 1)))
  return {
    u,
    int,
    pick: (items) => items[int(0, items.length - 1)],
    chance: (p) => u() < p,
    log: (lo, hi) => lo * (hi / lo) ** u(),
    round: (v) => Number(v.toPrecision(2)),
  }
}

export function activation(d: Draw, name: ActivationName): LayerSpecInput {
  switch (name) {
    case 'LeakyReLU':
      return d.chance(0.5) ? { kind: name, negativeSlope: d.pick([0, 0.2, -0.1, 1.5]) } : { kind: name }
    case 'ELU':
      return d.chance(0.5) ? { kind: name, alpha: d.pick([0.5, 2, 0]) } : { kind: name }
    case 'Softplus':
      return d.chance(0.5) ? { kind: name, beta: d.pick([0.5, 2, 5]), threshold: d.pick([20, 1, 0.5]) } : { kind: name }
    default:
      return { kind: name }
  }
}

export function batchNorm(d: Draw): LayerSpecInput {
  return {
    kind: 'BatchNorm1d',
    ...(d.chance(0.4) ? { eps: d.pick([1e-3, 0.1, 1e-8]) } : {}),
    ...(d.chance(0.4) ? { momentum: d.pick([0, 0.3, 1]) } : {}),
    ...(d.chance(0.3) ? { affine: false } : {}),
    ...(d.chance(0.3) ? { trackRunningStats: false } : {}),
  }
}

function layers(d: Draw, loss: LossName): LayerSpecInput[] {
  const out: LayerSpecInput[] = []
  if (d.chance(0.1)) out.push(d.chance(0.5) ? batchNorm(d) : activation(d, d.pick(ACTIVATIONS)))
  const hidden = d.int(0, 2)
  for (let h = 0; h < hidden; h++) {
    out.push({ kind: 'Linear', outFeatures: d.int(1, 6) })
    if (d.chance(0.3)) out.push(batchNorm(d))
    out.push(activation(d, d.pick(ACTIVATIONS)))
    if (d.chance(0.15)) out.push({ kind: 'Dropout', p: 0 })
  }
  out.push({ kind: 'Linear' })
  if (loss === 'BCELoss') out.push({ kind: 'Sigmoid' })
  return out
}

export function optimizer(d: Draw, name: OptimizerName): Record<string, unknown> {
  const some = <T>(p: number, value: () => T) => (d.chance(p) ? value() : undefined)
  const fields: Record<string, unknown> = { name, lr: d.round(d.log(1e-3, name === 'SGD' ? 0.05 : 0.03)) }
  const weightDecay = some(0.4, () => d.pick([0, 1e-3, 0.05, 0.3]))
  if (weightDecay !== undefined) fields.weightDecay = weightDecay
  switch (name) {
    case 'SGD': {
      const momentum = some(0.6, () => d.pick([0.5, 0.9, 0.99, 0]))
      if (momentum !== undefined) fields.momentum = momentum
      if (momentum && d.chance(0.4)) fields.nesterov = true
      else if (d.chance(0.4)) fields.dampening = d.pick([0.1, 0.5, 1])
      break
    }
    case 'Adam':
    case 'AdamW':
      if (d.chance(0.5)) fields.betas = [d.pick([0, 0.5, 0.8, 0.95]), d.pick([0, 0.9, 0.99, 0.9999])]
      if (d.chance(0.4)) fields.eps = d.pick([1e-6, 1e-3, 0.1])
      if (d.chance(0.4)) fields.amsgrad = true
      break
    case 'RMSprop':
      if (d.chance(0.5)) fields.alpha = d.pick([0, 0.5, 0.9, 0.999])
      if (d.chance(0.4)) fields.eps = d.pick([1e-6, 1e-3, 0.1])
      if (d.chance(0.5)) fields.momentum = d.pick([0.3, 0.9])
      if (d.chance(0.4)) fields.centered = true
      break
    case 'Adagrad':
      if (d.chance(0.5)) fields.lrDecay = d.pick([0.01, 0.5, 3])
      if (d.chance(0.5)) fields.initialAccumulatorValue = d.pick([0.1, 1, 1e-4])
      if (d.chance(0.4)) fields.eps = d.pick([1e-6, 1e-3, 0.1])
      break
  }
  return fields
}

export const LOSS_ARGS: Partial<Record<LossName, (d: Draw) => Partial<Record<string, number>>>> = {
  HuberLoss: (d) => (d.chance(0.7) ? { huberDelta: d.pick([0.1, 0.5, 2, 5]) } : {}),
  SmoothL1Loss: (d) => (d.chance(0.7) ? { smoothL1Beta: d.pick([0, 0.1, 0.5, 2]) } : {}),
}

/** a CSV for the loss's task; `classCount` in place of the random sweep's 2 to 4 classes */
export function table(d: Draw, loss: LossName, rows: number, features: number, classCount?: number): { csv: string; classes: number } {
  const task = LOSS_TABLE[loss].task
  const classes = task === 'multiclass' ? (classCount ?? d.int(2, 4)) : task === 'binary' ? 2 : 0
  // columns of different sizes, so scaling matters
  const sizes = Array.from({ length: features }, () => d.pick([1, 10, 0.1, 100]))
  const lines = [['row', ...sizes.map((_, j) => `f${j}`), 't'].join(',')]
  for (let r = 0; r < rows; r++) {
    const x = sizes.map((s) => Math.fround((d.u() * 2 - 1) * s))
    const signal = x.reduce((a, v, j) => a + v / sizes[j], 0)
    // every class at least once, the rest from the features
    const t = task === 'regression' ? Math.fround(signal * 3 + d.u() - 0.5) : r < classes ? r : Math.min(classes - 1, Math.max(0, Math.floor(((signal + features) / (2 * features)) * classes)))
    lines.push([r, ...x, t].join(','))
  }
  return { csv: `${lines.join('\n')}\n`, classes }
}

export function fuzzCase(seed: number, index: number): FuzzCase {
  const d = draw(seed * 7919 + index + 1)
  const loss = d.pick(LOSSES)
  const rows = d.int(6, 40)
  const featureCount = d.int(1, 4)
  const features = Array.from({ length: featureCount }, (_, j) => `f${j}`)
  const { csv, classes } = table(d, loss, rows, featureCount)
  const valSplit = d.chance(0.35) ? d.pick([0.2, 0.3, 0.5]) : 0
  const trainRows = rows - Math.round(rows * valSplit)
  const batchSize = d.pick([1, 2, 3, 5, 7, 8, 16, trainRows, trainRows + 3, Math.max(1, trainRows - 1)])
  const model = d.chance(0.1) && loss !== 'BCELoss' ? { kind: 'linear' as const } : { kind: 'sequential' as const, layers: layers(d, loss) }
  const request: TrainRequestInput = {
    dataset: { source: { kind: 'file', path: '' }, features, target: 't', scale: d.chance(0.5) ? 'standard' : 'none', valSplit, splitSeed: d.int(0, 1000) },
    model,
    train: {
      loss,
      ...LOSS_ARGS[loss]?.(d),
      optimizer: optimizer(d, d.pick(OPTIMIZERS)) as TrainRequestInput['train']['optimizer'],
      epochs: d.int(2, 20),
      batchSize,
      dropLast: d.chance(0.3),
      seed: d.int(0, 10_000),
    },
  }
  return { index, request, csv, features, classes, start: d.pick(['seed', 'pth', 'zeros'] as const) }
}
