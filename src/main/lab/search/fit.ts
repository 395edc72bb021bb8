/**
 * One cross-validation fit, as skorch's fit + GridSearchCV's scorer do it: train a fresh model
 * on the fold's training rows, predict its test rows, score them. Runs inside a pool worker,
 * which gets the search's rows by reference and the fold as index arrays.
 */
import type { BackendPreference } from '../engine/tfjs/backend'
import { engineConfig } from '../engine/engine'
import { createEngine } from '../engine/select'
import type { Divergence } from '../../../shared/api'
import { lossOf, type LossName } from '../../../shared/catalog/losses'
import type { EngineChoice, ModelSpec, Scoring, TrainConfig } from '../../../shared/schemas'
import { initialStateDict } from '../model/init'
import type { StateDict } from '../model/stateDict'
import { ALWAYS_RUN, runTraining } from '../train/loop'
import { classificationMetrics, decide, errorMetrics, regressionMetrics } from '../train/metrics'
import { foldSplits, type FoldRows, type SharedRows } from './foldData'
import { TEST_FOLD } from './folds'

export interface FitJob {
  id: number
  row: number
  /** -1 for the refit on all rows */
  fold: number
  model: ModelSpec
  train: TrainConfig
  /** the seed of the model's initial weights (torch's init, as initialStateDict draws it) */
  initSeed: number
  data: SharedRows
  rows: FoldRows
  /** StandardScaler fitted on the fold's training rows */
  standardise: boolean
  scoring: Scoring
  engine: EngineChoice
  backend: BackendPreference
}

export interface FitResult {
  id: number
  row: number
  fold: number
  status: 'ok' | 'diverged'
  score: number | null
  seconds: number
  lossHistory: number[]
  divergence?: Divergence
  stateDict?: StateDict
}

export function score(scoring: Scoring, loss: LossName, output: Float32Array, y: Float32Array, width: number): number {
  const { task, threshold } = lossOf(loss)
  if (scoring === 'accuracy') {
    const labels = decide(output, y.length, width, threshold)
    return classificationMetrics(Int32Array.from(y), labels, Array.from({ length: Math.max(2, width) }, String)).accuracy
  }
  if (task !== 'regression') throw new Error(`${scoring} scores regression; use accuracy for classification`)
  // skorch's predictions and targets are float32 arrays
  if (scoring === 'r2') return regressionMetrics(y, output, 'float32', TEST_FOLD).r2
  const m = errorMetrics(y, output, 'float32')
  return scoring === 'neg_mean_squared_error' ? -m.mse : -m.mae
}

export async function fit(job: FitJob): Promise<FitResult> {
  const started = performance.now()
  const { train, test } = foldSplits(job.data, job.rows, job.standardise)
  const engine = await createEngine(engineConfig(job.model, job.train, initialStateDict(job.model, job.initSeed), undefined), job.engine, job.backend)
  try {
    const empty = { n: 0, x: new Float32Array(0), y: new Float32Array(0) }
    const result = runTraining(engine, { train, val: empty, features: job.data.features }, job.train, ALWAYS_RUN, {
      step: () => undefined,
      epoch: () => undefined,
    })
    const base = { id: job.id, row: job.row, fold: job.fold, seconds: (performance.now() - started) / 1000, lossHistory: result.lossHistory }
    if (result.status === 'diverged') return { ...base, status: 'diverged', score: null, divergence: result.divergence }
    const output = engine.predict(test.x, test.n)
    const value = test.n > 0 ? score(job.scoring, job.train.loss, output, test.y, job.model.outFeatures) : null
    return { ...base, status: 'ok', score: value, stateDict: job.fold < 0 ? engine.stateDict() : undefined }
  } finally {
    engine.dispose()
  }
}
