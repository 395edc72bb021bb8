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
import { copyValues, type StateDict } from '../model/stateDict'
import { lossSpecOf } from '../../../shared/catalog/losses'
import { allFinite, blowUp, lossBound } from './divergence'
import { LossLog } from './lossLog'
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
  /** the end of an epoch: its mean losses and the weights it ended with (the engine's views: copy what you keep) */
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

/**
 * A batch's rows and targets: views of the gatherer's buffers. A class rather than a literal:
 * a literal's site builds its objects differently on its second run than on its first, which
 * throws away the loop code optimised during a thread's first run.
 */
export class Batch {
  constructor(
    readonly x: Float32Array,
    readonly y: Float32Array,
  ) {}
}

export class BatchGather {
  private readonly x: Float32Array
  private readonly y: Float32Array
  /**
   * views of the buffers, made once: a step allocates nothing. An epoch has at most two batch
   * lengths, the full one and a shorter last one, so each has a field rather than a table that a
   * new run would start empty (and the code optimised for the last run would not fit).
   */
  private readonly full: Batch
  private last: Batch

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

  private views(n: number): Batch {
    return new Batch(this.x.subarray(0, n * this.width), this.y.subarray(0, n))
  }

  /** copies the rows of a batch into reused buffers; returns views of the batch's length, valid until the next gather */
  gather(indices: Int32Array): Batch {
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

/**
 * One run's loop. The epoch is a method, called once an epoch: a warm training thread enters the
 * code V8 optimised for it during the last run at the next run's first epoch, where a loop inside
 * one long call per run would start each run interpreted and wait to be optimised again. It is a
 * class, not closures, for the same reason: a method is one call target for every run.
 */
class TrainingLoop {
  private readonly loader: DataLoader
  private readonly gatherer: BatchGather
  private readonly bound: number
  private readonly losses = new LossLog()
  private readonly valLosses = new LossLog()
  private steps = 0
  /** the weights where the current epoch began, the last ones known to be sound: one copy, refilled every epoch */
  private readonly restorePoint: StateDict

  constructor(
    private readonly engine: Engine,
    private readonly data: { train: Split; val: Split; features: number },
    config: TrainConfig,
    private readonly gate: Gate,
    private readonly sink: LoopSink,
  ) {
    this.loader = new DataLoader(data.train.n, config)
    if (this.loader.batchesPerEpoch === 0) {
      // torch would run no step at all and say nothing; a run that learns nothing is refused instead
      throw labError('INVALID_ARGUMENT', noStepReason(data.train.n, config))
    }
    const maxBatch = Math.min(config.batchSize, data.train.n)
    this.gatherer = new BatchGather(data.train, data.features, maxBatch)
    engine.reserve?.(Math.max(maxBatch, data.val.n))
    this.bound = lossBound(lossSpecOf(config), data.train)
    this.restorePoint = engine.stateDict()
  }

  /** one epoch; a result when the run ends in it (stopped or diverged), else undefined */
  epoch(epoch: number): LoopResult | undefined {
    const { engine, gatherer, sink, bound } = this
    engine.train()
    let sum = 0
    const batches = this.loader.nextEpoch()
    for (let b = 0; b < batches.length; b++) {
      if (this.gate.next() === 'stop') return this.finish('stopped')
      const batch = batches[b]
      const { x, y } = gatherer.gather(batch)
      const loss = engine.trainStep(x, y, batch.length)
      this.steps++
      sink.step(loss)
      // one comparison on the per-step path (false for NaN too); the words come only when it fails
      if (!(Math.abs(loss) <= bound)) {
        const what = blowUp(loss, bound)
        if (what) return this.diverged(epoch, loss, what)
      }
      sum += loss
    }
    const trainLoss = sum / batches.length
    // a weight can overflow while the loss still reads finite (a ReLU hides a NaN behind a zero)
    const weights = engine.weights()
    if (!allFinite(weights)) return this.diverged(epoch, trainLoss, 'stayed finite but the weights did not')
    copyValues(weights, this.restorePoint)
    engine.eval()
    const val = this.data.val
    const valLoss = val.n > 0 ? engine.loss(val.x, val.y, val.n) : undefined
    this.losses.add(trainLoss)
    if (valLoss !== undefined) this.valLosses.add(valLoss)
    sink.epoch(epoch, trainLoss, valLoss, weights)
    return undefined
  }

  finish(status: LoopResult['status'], divergence?: Divergence): LoopResult {
    // what follows a run (evaluation, prediction, saving) sees the model as torch's model.eval() does
    this.engine.eval()
    const { losses, valLosses, steps } = this
    return {
      status,
      epochsCompleted: losses.length,
      steps,
      lossHistory: losses.list(),
      valLossHistory: valLosses.list(),
      divergence,
    }
  }

  /** puts back the weights where the epoch began */
  private diverged(epoch: number, loss: number, what: string): LoopResult {
    this.engine.loadStateDict(this.restorePoint)
    return this.finish('diverged', {
      epoch,
      step: this.steps,
      loss,
      message:
        `The loss ${what} at epoch ${epoch}, step ${this.steps}: the weights blew up. ` +
        `Try a smaller learning rate (or scale the features). The weights were reset to where epoch ${epoch} began.`,
    })
  }
}

export function runTraining(
  engine: Engine,
  data: { train: Split; val: Split; features: number },
  config: TrainConfig,
  gate: Gate,
  sink: LoopSink,
): LoopResult {
  const loop = new TrainingLoop(engine, data, config, gate, sink)
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const ended = loop.epoch(epoch)
    if (ended) return ended
  }
  return loop.finish('completed')
}
