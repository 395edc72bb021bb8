/** Messages between a TrainingRun (main) and its worker thread. */
import type { BackendInfo, Divergence, RunStatus, SeriesLayout } from '../../../shared/api'
import type { LabErrorInfo } from '../../../shared/errors'
import type { EngineChoice, TrainConfig } from '../../../shared/schemas'
import type { Split } from '../data/dataset'
import type { EngineConfig, OptimizerState } from '../engine/engine'
import type { BackendPreference } from '../engine/tfjs/backend'
import type { StateDict } from '../model/stateDict'
import type { SeriesDelta } from '../../../shared/series'

/**
 * Shared control words: the worker reads them between steps and sleeps on SEQ while paused or
 * waiting for its pace. PACE is epochs per second, 0 for as fast as possible. A writer adds 1
 * to SEQ after changing any other word: while SEQ stands still the worker reads nothing else.
 */
export const CONTROL = { CMD: 0, CREDITS: 1, SEQ: 2, PACE: 3 } as const
export const CONTROL_WORDS = 4
export const CMD = { RUN: 0, PAUSE: 1, STOP: 2 } as const

/** a run's control words, written by the main thread only: SEQ moves after every other word, and a gate asleep on it wakes */
export function wake(words: Int32Array): void {
  Atomics.add(words, CONTROL.SEQ, 1)
  Atomics.notify(words, CONTROL.SEQ)
}

export function command(words: Int32Array, cmd: (typeof CMD)[keyof typeof CMD]): void {
  Atomics.store(words, CONTROL.CMD, cmd)
  wake(words)
}

/** fresh control words: a run going as fast as it can */
export function controlWords(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT)
}

export interface TrainStart {
  kind: 'train'
  control: SharedArrayBuffer
  backend: BackendPreference
  engineChoice: EngineChoice
  engine: EngineConfig
  train: TrainConfig
  data: { train: Split; val: Split; features: number }
}

/**
 * Every run's start is built here, a student's and a warm-up's alike, with its keys in one order:
 * the objects a thread's warm-up ran on must have the hidden classes of the student's run, or its
 * optimised code is thrown away at that run's first step (warmUp.ts)
 */
export function trainStart(control: SharedArrayBuffer, { backend, engineChoice, engine, train, data }: Omit<TrainStart, 'kind' | 'control'>): TrainStart {
  return { kind: 'train', control, backend, engineChoice, engine, train, data: { train: data.train, val: data.val, features: data.features } }
}

/** Models up to this many parameters report them every epoch, for the slope and bias plots. */
export const SNAPSHOT_MAX_PARAMS = 64

/** The columns of a run's per-epoch series; the worker and the main process both derive them from the start. */
export function seriesLayout(start: Pick<TrainStart, 'data' | 'engine'>): SeriesLayout {
  const count = start.engine.initial.reduce((n, t) => n + t.data.length, 0)
  return { validation: start.data.val.n > 0, parameters: count <= SNAPSHOT_MAX_PARAMS ? count : 0 }
}

/** What a progress message carries besides the series: the latest epoch and every epoch's losses since the last one. */
export interface ProgressReport {
  status: RunStatus
  epoch: number
  step: number
  elapsedSeconds: number
  trainLoss?: number
  valLoss?: number
  params?: number[]
  /** train and validation loss of each epoch finished since the last report, for the run's full history */
  trainLosses: Float64Array
  valLosses: Float64Array
  epochSeries: SeriesDelta
  stepSeries: SeriesDelta
}

/** only pick the backend and report it */
export interface ProbeStart {
  kind: 'probe'
  backend: BackendPreference
}

/** a finished run's model, from its final weights, only to answer predictions (its training thread was released) */
export interface ServeStart {
  kind: 'serve'
  backend: BackendPreference
  engineChoice: Exclude<EngineChoice, 'auto'>
  engine: EngineConfig
}

/** a training thread started before the run it will train: it waits for that run's 'train' request */
export interface SpareStart {
  kind: 'spare'
  /**
   * the warm-up runs' control words: the service stops the warm-up there as it hands the spare
   * a run, which would otherwise wait for the warm-up run in progress to end (a cold thread's
   * takes a few hundred ms on a busy machine); the thread hears the run's request only then
   */
  control: SharedArrayBuffer
}

export type WorkerStart = TrainStart | ProbeStart | ServeStart | SpareStart

export type WorkerRequest =
  | { type: 'predict'; id: number; x: Float32Array; n: number }
  /** the next run, on a finished run's thread */
  | { type: 'train'; start: TrainStart }

export type WorkerMessage =
  | { type: 'ready'; info: BackendInfo }
  | ({ type: 'progress' } & ProgressReport)
  | {
      type: 'done'
      status: Extract<RunStatus, 'completed' | 'stopped' | 'diverged'>
      epochsCompleted: number
      steps: number
      seconds: number
      divergence?: Divergence
      stateDict: StateDict
      optimizerState: OptimizerState
    }
  | { type: 'prediction'; id: number; output: Float32Array }
  /** a prediction the model could not compute (its buffers for that many rows, say): refused alone, the thread answers on */
  | { type: 'predictionFailed'; id: number; error: LabErrorInfo }
  | { type: 'failed'; error: LabErrorInfo }
  /** a spare thread has run its warm-up (warmUp.ts): a run handed to it now starts warm */
  | { type: 'warm' }
