/**
 * The training loop, engine-independent: epochs × DataLoader batches, a loss per step, a mean
 * loss per epoch, validation loss, divergence. It is synchronous; a gate decides before every
 * step whether to go on, so pause, step and stop are answered between two steps.
 */
import type { Divergence, RunStatus } from '../../../shared/api'
import type { TrainConfig } from '../../../shared/schemas'
import { DataLoader } from '../data/dataloader'
import type { Split } from '../data/dataset'
import type { Engine } from '../engine/engine'
import type { StateDict } from '../model/stateDict'
import { lossSpecOf } from '../../../shared/catalog/losses'
import { allFinite, blowUp, lossBound } from './divergence'
import { labError } from '../../../shared/errors'

/** why a run with drop_last on fewer rows than a batch would not make a single step */
function noStepReason(rows: number, config: TrainConfig): string {
  return (
    `With --drop-last, a batch size of ${config.batchSize} and ${rows} training rows, every batch is dropped and the run would make no step. ` +
    `Choose a batch size of at most ${rows}, or leave out drop-last.`
  )
}

export interface LoopSink {
  /** called after every step: keep it cheap, it is on the per-step path */
  step(loss: number): void
  /** the end of an epoch: its mean losses and the weights it ended with (a copy the sink may keep) */
  epoch(epoch: number, trainLoss: number, valLoss: number | undefined, weights: StateDict): void
}

export type Gate = () => 'run' | 'stop'

export interface LoopResult {
  status: Extract<RunStatus, 'completed' | 'stopped' | 'diverged'>
  epochsCompleted: number
  steps: number
  lossHistory: number[]
  valLossHistory: number[]
  divergence?: Divergence
}

export class BatchGather {
  private readonly x: Float32Array
  private readonly y: Float32Array
  /** views of the buffers by batch length, made once: a step allocates nothing */
  private readonly views: { x: Float32Array; y: Float32Array }[] = []

  constructor(
    private readonly data: Split,
    private readonly width: number,
    maxBatch: number,
  ) {
    this.x = new Float32Array(maxBatch * width)
    this.y = new Float32Array(maxBatch)
  }

  /** copies the rows of a batch into reused buffers; returns views of the batch's length, valid until the next gather */
  gather(indices: Int32Array): { x: Float32Array; y: Float32Array } {
    const w = this.width
    const source = this.data.x
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i]
      for (let j = 0; j < w; j++) this.x[i * w + j] = source[r * w + j]
      this.y[i] = this.data.y[r]
    }
    return (this.views[indices.length] ??= { x: this.x.subarray(0, indices.length * w), y: this.y.subarray(0, indices.length) })
  }
}

export function runTraining(
  engine: Engine,
  data: { train: Split; val: Split; features: number },
  config: TrainConfig,
  gate: Gate,
  sink: LoopSink,
): LoopResult {
  const loader = new DataLoader(data.train.n, config)
  const gatherer = new BatchGather(data.train, data.features, Math.min(config.batchSize, data.train.n))
  const lossHistory: number[] = []
  const valLossHistory: number[] = []
  let steps = 0
  const bound = lossBound(lossSpecOf(config), data.train)

  const finish = (status: LoopResult['status'], divergence?: Divergence): LoopResult => {
    // what follows a run (evaluation, prediction, saving) sees the model as torch's model.eval() does
    engine.eval()
    return { status, epochsCompleted: lossHistory.length, steps, lossHistory, valLossHistory, divergence }
  }
  /** puts back the weights where the epoch began, the last ones known to be sound */
  const diverged = (epoch: number, loss: number, what: string, restore: StateDict): LoopResult => {
    engine.loadStateDict(restore)
    return finish('diverged', {
      epoch,
      step: steps,
      loss,
      message:
        `The loss ${what} at epoch ${epoch}, step ${steps}: the weights blew up. ` +
        `Try a smaller learning rate (or scale the features). The weights were reset to where epoch ${epoch} began.`,
    })
  }

  if (loader.batchesPerEpoch === 0) {
    // torch would run no step at all and say nothing; a run that learns nothing is refused instead
    throw labError('INVALID_ARGUMENT', noStepReason(data.train.n, config))
  }
  let lastGood = engine.stateDict()
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    engine.train()
    let sum = 0
    const batches = loader.nextEpoch()
    for (let b = 0; b < batches.length; b++) {
      if (gate() === 'stop') return finish('stopped')
      const batch = batches[b]
      const { x, y } = gatherer.gather(batch)
      const loss = engine.trainStep(x, y, batch.length)
      steps++
      sink.step(loss)
      // one comparison on the per-step path (false for NaN too); the words come only when it fails
      if (!(Math.abs(loss) <= bound)) {
        const what = blowUp(loss, bound)
        if (what) return diverged(epoch, loss, what, lastGood)
      }
      sum += loss
    }
    const trainLoss = sum / batches.length
    // a weight can overflow while the loss still reads finite (a ReLU hides a NaN behind a zero)
    const weights = engine.stateDict()
    if (!allFinite(weights)) return diverged(epoch, trainLoss, 'stayed finite but the weights did not', lastGood)
    lastGood = weights
    engine.eval()
    const valLoss = data.val.n > 0 ? engine.loss(data.val.x, data.val.y, data.val.n) : undefined
    lossHistory.push(trainLoss)
    if (valLoss !== undefined) valLossHistory.push(valLoss)
    sink.epoch(epoch, trainLoss, valLoss, weights)
  }
  return finish('completed')
}
