/**
 * Whole training configurations drawn from a seed for the step-by-step sweep (stepSweep.test.ts),
 * where fuzzCases.ts's runs are narrower: 1 to 20 input columns, up to three hidden layers up to 24
 * wide, Dropout with p above 0 (its masks TorchLab's own), BatchNorm1d anywhere, every activation,
 * loss and optimizer with random arguments, 2 to 12 classes, 4 to 140 rows in batches of 1 to 70,
 * uneven last batches and drop_last, shuffle off, 3 to 20 steps over whole epochs; a `maximize`
 * TorchLab does not take, now and then, to be refused. Pure: the same seed gives the same cases.
 */
import { ACTIVATIONS } from '../../src/shared/catalog/activations'
import { LOSSES, type LossName } from '../../src/shared/catalog/losses'
import { OPTIMIZERS } from '../../src/shared/catalog/optimizers'
import type { LayerSpecInput, TrainRequestInput } from '../../src/shared/schemas'
import { activation, batchNorm, draw, LOSS_ARGS, optimizer, table, type Draw, type StartFrom } from './fuzzCases'

export interface StepCase {
  index: number
  request: TrainRequestInput
  csv: string
  features: string[]
  classes: number
  start: StartFrom
  /** every step of the request's epochs */
  steps: number
  /** the optimizer carries maximize=True, which TorchLab must refuse with a sentence naming it */
  maximize: boolean
}

function layers(d: Draw, loss: LossName): LayerSpecInput[] {
  const out: LayerSpecInput[] = []
  if (d.chance(0.1)) out.push(batchNorm(d))
  const hidden = d.int(0, 3)
  for (let h = 0; h < hidden; h++) {
    out.push({ kind: 'Linear', outFeatures: d.pick([1, 2, 3, 5, 8, 13, 24]) })
    if (d.chance(0.25)) out.push(batchNorm(d))
    out.push(activation(d, d.pick(ACTIVATIONS)))
    if (d.chance(0.3)) out.push({ kind: 'Dropout', p: d.pick([0, 0.1, 0.5, 0.9]) })
  }
  out.push({ kind: 'Linear' })
  if (loss === 'BCELoss') out.push({ kind: 'Sigmoid' })
  return out
}

/**
 * murmur3's 32-bit finaliser: float32Stream is a linear congruential generator, and streams started
 * from neighbouring seeds stay near one another for many draws (the first pick, the loss, took three
 * or four of the seven losses a seed, and never CrossEntropyLoss or L1Loss on seeds 1 to 6)
 */
function mixSeed(seed: number): number {
  let h = seed >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** a case drawn from the seed; `onlyLoss` trains that loss in place of the drawn one, the rest as drawn */
export function stepCase(seed: number, index: number, onlyLoss?: LossName): StepCase {
  const d = draw(mixSeed(seed * 104729 + index + 1))
  const loss = onlyLoss ?? d.pick(LOSSES)
  if (onlyLoss) d.u()
  // batches up to 70 rows as well: every length of the loss kernels' 8- and 16-float loops' tails
  const rows = d.chance(0.3) ? d.int(21, 140) : d.int(4, 20)
  const featureCount = d.pick([1, 1, 2, 3, 4, 7, 12, 20])
  const features = Array.from({ length: featureCount }, (_, j) => `f${j}`)
  const { csv, classes } = table(d, loss, rows, featureCount, Math.min(d.int(2, 12), rows))
  const valSplit = d.chance(0.3) ? d.pick([0.2, 0.3]) : 0
  const trainRows = rows - Math.round(rows * valSplit)
  const batchSize = d.pick([1, 2, 3, 4, 5, 7, 16, Math.min(trainRows, d.int(17, 70)), trainRows, Math.max(1, trainRows - 1)])
  const dropLast = batchSize <= trainRows && d.chance(0.3)
  const perEpoch = dropLast ? Math.floor(trainRows / batchSize) : Math.ceil(trainRows / batchSize)
  // whole epochs, 3 to 20 steps where an epoch allows it
  const epochs = Math.max(Math.ceil(3 / perEpoch), Math.min(d.int(1, 4), Math.floor(20 / perEpoch)), 1)
  const model = d.chance(0.1) && loss !== 'BCELoss' ? { kind: 'linear' as const } : { kind: 'sequential' as const, layers: layers(d, loss) }
  const maximize = d.chance(0.05)
  const request: TrainRequestInput = {
    dataset: { source: { kind: 'file', path: '' }, features, target: 't', scale: d.chance(0.5) ? 'standard' : 'none', valSplit, splitSeed: d.int(0, 1000) },
    model,
    train: {
      loss,
      ...LOSS_ARGS[loss]?.(d),
      optimizer: { ...optimizer(d, d.pick(OPTIMIZERS)), ...(maximize ? { maximize: true } : {}) } as TrainRequestInput['train']['optimizer'],
      epochs,
      batchSize,
      dropLast,
      shuffle: false,
      seed: d.int(0, 10_000),
    },
  }
  return { index, request, csv, features, classes, start: d.pick(['seed', 'pth', 'zeros'] as const), steps: epochs * perEpoch, maximize }
}
