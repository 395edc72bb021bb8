/**
 * The training loop, engine-independent: epochs × DataLoader batches, a loss per step, a mean
 * loss per epoch, validation loss, divergence. It is synchronous; a gate decides before every
 * step whether to go on, so pause, step and stop are answered between two steps.
 */
import type { Divergence, EpochRecord, RunStatus } from '../../../shared/api'
import type { TrainConfig } from '../../../shared/schemas'
import { DataLoader } from '../data/dataloader'
import type { Split } from '../data/dataset'
import type { Engine } from '../engine/engine'

/** Models up to this many parameters report them every epoch, for the slope and bias plots. */
export const SNAPSHOT_MAX_PARAMS = 64

/**
 * A loss this many times the first batch's has blown up even while float32 still holds it:
 * with lr 0.08 the course's model reaches 1e19 before it overflows, which skorch reports as
 * an r² of −4.7e19.
 */
export const EXPLOSION_FACTOR = 1e6

export interface LoopSink {
  step(loss: number): void
  epoch(record: EpochRecord): void
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

class BatchGather {
  readonly x: Float32Array
  readonly y: Float32Array

  constructor(
    private readonly data: Split,
    private readonly width: number,
    maxBatch: number,
  ) {
    this.x = new Float32Array(maxBatch * width)
    this.y = new Float32Array(maxBatch)
  }

  /** copies the rows of a batch into reused buffers; returns views of the batch's length */
  gather(indices: Int32Array): { x: Float32Array; y: Float32Array } {
    const w = this.width
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i]
      this.x.set(this.data.x.subarray(r * w, r * w + w), i * w)
      this.y[i] = this.data.y[r]
    }
    return { x: this.x.subarray(0, indices.length * w), y: this.y.subarray(0, indices.length) }
  }
}

function flatParams(engine: Engine): number[] {
  return engine.stateDict().flatMap((t) => Array.from(t.data))
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
  const parameterCount = engine.stateDict().reduce((n, t) => n + t.data.length, 0)
  const snapshot = parameterCount <= SNAPSHOT_MAX_PARAMS
  const lossHistory: number[] = []
  const valLossHistory: number[] = []
  let steps = 0
  let firstLoss = NaN

  const finish = (status: LoopResult['status'], divergence?: Divergence): LoopResult => {
    // what follows a run (evaluation, prediction, saving) sees the model as torch's model.eval() does
    engine.eval()
    return { status, epochsCompleted: lossHistory.length, steps, lossHistory, valLossHistory, divergence }
  }

  if (loader.batchesPerEpoch === 0) {
    // drop_last with fewer rows than one batch: torch would run no step at all, silently
    return finish('completed')
  }
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const lastGood = engine.stateDict()
    engine.train()
    let sum = 0
    const batches = loader.nextEpoch()
    for (const batch of batches) {
      if (gate() === 'stop') return finish('stopped')
      const { x, y } = gatherer.gather(batch)
      const loss = engine.trainStep(x, y, batch.length)
      steps++
      sink.step(loss)
      if (steps === 1) firstLoss = loss
      if (!Number.isFinite(loss) || loss > EXPLOSION_FACTOR * Math.max(firstLoss, 1e-6)) {
        engine.loadStateDict(lastGood)
        const what = Number.isNaN(loss) ? 'became NaN' : Number.isFinite(loss) ? 'grew over a million-fold' : 'became infinite'
        return finish('diverged', {
          epoch,
          step: steps,
          loss,
          message:
            `The loss ${what} at epoch ${epoch}, step ${steps}: the weights blew up. ` +
            `Try a smaller learning rate (or scale the features). The weights were reset to where epoch ${epoch} began.`,
        })
      }
      sum += loss
    }
    const trainLoss = sum / batches.length
    engine.eval()
    const valLoss = data.val.n > 0 ? engine.loss(data.val.x, data.val.y, data.val.n) : undefined
    lossHistory.push(trainLoss)
    if (valLoss !== undefined) valLossHistory.push(valLoss)
    sink.epoch({ epoch, trainLoss, valLoss, params: snapshot ? flatParams(engine) : undefined })
  }
  return finish('completed')
}
