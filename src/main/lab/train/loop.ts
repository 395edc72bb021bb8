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

/** asked before every step whether the run goes on */
export interface Gate {
  next(): 'run' | 'stop'
}

/** a run nothing controls (a grid search's fit) */
export const ALWAYS_RUN: Gate = { next: () => 'run' }

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
  /**
   * views of the buffers, made once: a step allocates nothing. An epoch has at most two batch
   * lengths, the full one and a shorter last one, so each has a field rather than a table that a
   * new run would start empty (and the code optimised for the last run would not fit).
   */
  private readonly full: { x: Float32Array; y: Float32Array }
  private last: { x: Float32Array; y: Float32Array }

  constructor(
    private readonly data: Split,
    private readonly width: number,
    private readonly maxBatch: number,
  ) {
    this.x = new Float32Array(maxBatch * width)
    this.y = new Float32Array(maxBatch)
    this.full = this.views(maxBatch)
    this.last = this.full
  }

  private views(n: number): { x: Float32Array; y: Float32Array } {
    return { x: this.x.subarray(0, n * this.width), y: this.y.subarray(0, n) }
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
    const n = indices.length
    if (n === this.maxBatch) return this.full
    if (this.last.y.length !== n) this.last = this.views(n)
    return this.last
  }
}

/*
 * A run's ends are functions of their own, not closures inside runTraining: each run's closure
 * would be a new call target, and the loop's code optimised during the last run would be thrown
 * away at the first end it reaches.
 */

function finish(
  engine: Engine,
  status: LoopResult['status'],
  steps: number,
  history: Pick<LoopResult, 'lossHistory' | 'valLossHistory'>,
  divergence?: Divergence,
): LoopResult {
  // what follows a run (evaluation, prediction, saving) sees the model as torch's model.eval() does
  engine.eval()
  return {
    status,
    epochsCompleted: history.lossHistory.length,
    steps,
    lossHistory: history.lossHistory,
    valLossHistory: history.valLossHistory,
    divergence,
  }
}

/** puts back the weights where the epoch began, the last ones known to be sound */
function diverge(
  engine: Engine,
  restore: StateDict,
  epoch: number,
  step: number,
  loss: number,
  what: string,
): Divergence {
  engine.loadStateDict(restore)
  return {
    epoch,
    step,
    loss,
    message:
      `The loss ${what} at epoch ${epoch}, step ${step}: the weights blew up. ` +
      `Try a smaller learning rate (or scale the features). The weights were reset to where epoch ${epoch} began.`,
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
  const maxBatch = Math.min(config.batchSize, data.train.n)
  const gatherer = new BatchGather(data.train, data.features, maxBatch)
  engine.reserve?.(Math.max(maxBatch, data.val.n))
  const history: Pick<LoopResult, 'lossHistory' | 'valLossHistory'> = { lossHistory: [], valLossHistory: [] }
  let steps = 0
  const bound = lossBound(lossSpecOf(config), data.train)

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
      if (gate.next() === 'stop') return finish(engine, 'stopped', steps, history)
      const batch = batches[b]
      const { x, y } = gatherer.gather(batch)
      const loss = engine.trainStep(x, y, batch.length)
      steps++
      sink.step(loss)
      // one comparison on the per-step path (false for NaN too); the words come only when it fails
      if (!(Math.abs(loss) <= bound)) {
        const what = blowUp(loss, bound)
        if (what) return finish(engine, 'diverged', steps, history, diverge(engine, lastGood, epoch, steps, loss, what))
      }
      sum += loss
    }
    const trainLoss = sum / batches.length
    // a weight can overflow while the loss still reads finite (a ReLU hides a NaN behind a zero)
    const weights = engine.stateDict()
    if (!allFinite(weights)) {
      return finish(
        engine,
        'diverged',
        steps,
        history,
        diverge(engine, lastGood, epoch, steps, trainLoss, 'stayed finite but the weights did not'),
      )
    }
    lastGood = weights
    engine.eval()
    const valLoss = data.val.n > 0 ? engine.loss(data.val.x, data.val.y, data.val.n) : undefined
    history.lossHistory.push(trainLoss)
    if (valLoss !== undefined) history.valLossHistory.push(valLoss)
    sink.epoch(epoch, trainLoss, valLoss, weights)
  }
  return finish(engine, 'completed', steps, history)
}
