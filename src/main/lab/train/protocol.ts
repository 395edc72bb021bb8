/** Messages between a TrainingRun (main) and its worker thread. */
import type { BackendInfo, Divergence, EpochRecord, RunStatus } from '../../../shared/api'
import type { LabErrorInfo } from '../../../shared/errors'
import type { EngineChoice, TrainConfig } from '../../../shared/schemas'
import type { Split } from '../data/dataset'
import type { EngineConfig, OptimizerState } from '../engine/engine'
import type { BackendPreference } from '../engine/tfjs/backend'
import type { StateDict } from '../model/stateDict'

/** Shared control words: the worker reads them between steps and sleeps on SEQ while paused. */
export const CONTROL = { CMD: 0, CREDITS: 1, SEQ: 2 } as const
export const CMD = { RUN: 0, PAUSE: 1, STOP: 2 } as const

export interface TrainStart {
  kind: 'train'
  control: SharedArrayBuffer
  backend: BackendPreference
  engineChoice: EngineChoice
  engine: EngineConfig
  train: TrainConfig
  data: { train: Split; val: Split; features: number }
}

/** only pick the backend and report it */
export interface ProbeStart {
  kind: 'probe'
  backend: BackendPreference
}

export type WorkerStart = TrainStart | ProbeStart

export type WorkerRequest = { type: 'predict'; id: number; x: Float32Array; n: number }

export type WorkerMessage =
  | { type: 'ready'; info: BackendInfo }
  | { type: 'progress'; status: RunStatus; epoch: number; step: number; epochs: EpochRecord[]; stepLosses: number[]; elapsedSeconds: number }
  | {
      type: 'done'
      status: Extract<RunStatus, 'completed' | 'stopped' | 'diverged'>
      epochsCompleted: number
      steps: number
      seconds: number
      lossHistory: number[]
      valLossHistory: number[]
      divergence?: Divergence
      stateDict: StateDict
      optimizerState: OptimizerState
    }
  | { type: 'prediction'; id: number; output: Float32Array }
  | { type: 'failed'; error: LabErrorInfo }
