/** Metrics of a finished run on its training or validation split, with least squares beside them. */
import type { Evaluation } from '../../../shared/api'
import { lossOf } from '../../../shared/catalog/losses'
import { LabError, labError } from '../../../shared/errors'
import type { PreparedData } from '../data/dataset'
import { downsample } from '../data/downsample'
import { classificationMetrics, decide, regressionMetrics, type ScoredRows } from './metrics'
import { leastSquares, type OlsFit } from './ols'
import type { TrainingRun } from './run'

/** Least squares is a reference beside the trained weights: where it has no answer (fewer rows than weights, collinear features) the run's own metrics still stand. */
function referenceFit(data: PreparedData, d: number): OlsFit | undefined {
  try {
    return leastSquares(data.train.x, data.train.y, data.train.n, d)
  } catch (err) {
    if (LabError.is(err)) return undefined
    throw err
  }
}

const SPLIT_ROWS: Record<'train' | 'validation', ScoredRows> = {
  train: { name: 'the training split', fix: 'Train on at least two rows.' },
  validation: { name: 'the validation split', fix: 'Raise the validation fraction so that it holds two rows or more, or evaluate on the training split.' },
}

export async function evaluateRun(run: TrainingRun, data: PreparedData, split: 'train' | 'validation'): Promise<Evaluation> {
  const set = split === 'train' ? data.train : data.val
  if (set.n === 0) throw labError('TOO_FEW_ROWS', 'There is no validation split; set a validation fraction above 0 to evaluate on one.')
  const { summary } = data
  const d = summary.features.length
  const output = await run.predict(set.x, set.n)
  const scaler = summary.scaler
  // the plot's x axis is the first feature in the student's own units
  const firstFeature = (i: number): number => (scaler ? set.x[i * d] * scaler.std[0] + scaler.mean[0] : set.x[i * d])
  const picks = downsample(set.n)
  const base = { runId: run.runId, split, task: summary.task }

  if (summary.task === 'regression') {
    const fit = referenceFit(data, d)
    const olsPredicted = (f: OlsFit) =>
      Float64Array.from({ length: set.n }, (_, i) => {
        let s = f.intercept
        for (let j = 0; j < d; j++) s += f.coef[j] * set.x[i * d + j]
        return s
      })
    return {
      ...base,
      regression: regressionMetrics(set.y, output, 'float32', SPLIT_ROWS[split]),
      ols: fit && { ...fit, metrics: regressionMetrics(set.y, olsPredicted(fit), 'float64', SPLIT_ROWS[split]) },
      points: { x: picks.map(firstFeature), actual: picks.map((i) => set.y[i]), predicted: picks.map((i) => output[i]) },
    }
  }
  const width = summary.task === 'binary' ? 1 : summary.classes!.length
  const predicted = decide(output, set.n, width, lossOf(run.config.train.loss).threshold)
  return {
    ...base,
    classification: classificationMetrics(Int32Array.from(set.y), predicted, summary.classes!),
    points: { x: picks.map(firstFeature), actual: picks.map((i) => set.y[i]), predicted: picks.map((i) => predicted[i]) },
  }
}
