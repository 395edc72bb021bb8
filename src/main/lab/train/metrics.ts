/** Scores as scikit-learn computes them (r2_score, mean_squared_error, mean_absolute_error, accuracy_score, confusion_matrix). */
import type { ClassificationMetrics, RegressionMetrics } from '../../../shared/api'
import { labError } from '../../../shared/errors'
import { reduceAllSum } from '../../../shared/catalog/vectorLoop'

/** the precision of the arrays a score is computed on: a model's float32 outputs, or float64 (least squares) */
export type Precision = 'float32' | 'float64'

/** numpy's pairwise sum of one buffer (runs of 8 in eight accumulators, halves above 128), from 0 */
function pairwiseSum(values: ArrayLike<number>, start: number, n: number, round: (v: number) => number): number {
  if (n < 8) {
    let s = 0
    for (let i = 0; i < n; i++) s = round(s + values[start + i])
    return s
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => values[start + j])
    let i = 8
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = round(r[j] + values[start + i + j])
    let s = round(round(round(r[0] + r[1]) + round(r[2] + r[3])) + round(round(r[4] + r[5]) + round(r[6] + r[7])))
    for (; i < n; i++) s = round(s + values[start + i])
    return s
  }
  let half = Math.floor(n / 2)
  half -= half % 8
  return round(pairwiseSum(values, start, half, round) + pairwiseSum(values, start + half, n - half, round))
}

/** np.mean of float64 values (GridSearchCV's mean and std over folds) */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values, values.length, (v) => v) / values.length
}

/** numpy's reductions go through its iterator's buffer, this many values at a time */
const NUMPY_BUFFER = 8192

/** np.add.reduce over contiguous values: a pairwise sum per buffer of 8192, the buffers added in turn, in the given precision */
function numpySum(values: ArrayLike<number>, n: number, round: (v: number) => number): number {
  let s = 0
  for (let start = 0; start < n; start += NUMPY_BUFFER) s = round(s + pairwiseSum(values, start, Math.min(NUMPY_BUFFER, n - start), round))
  return s
}

/** which rows a score is asked of, and what a student can do when there are too few */
export interface ScoredRows {
  /** 'the validation split', 'the smallest test fold' */
  name: string
  fix: string
}

/**
 * scikit-learn's r2_score is NaN (with a warning) below two rows. TorchLab refuses it there with
 * this sentence, wherever R² is asked for: Evaluate, the CLI's report, a search scored by r2.
 */
export function requireR2Rows(n: number, rows: ScoredRows): void {
  if (n < 2) throw labError('TOO_FEW_ROWS', `R² needs at least two rows, and ${rows.name} has ${n} (scikit-learn's r2_score gives NaN there). ${rows.fix}`)
}

/**
 * r2_score, mean_squared_error and mean_absolute_error as scikit-learn 1.2 computes them on numpy
 * arrays of this precision: for a model's float32 outputs (skorch's predict, torch's tensors),
 * the residuals, their squares and the means in float32, R²'s two sums in float64.
 */
export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, precision: Precision, rows: ScoredRows): RegressionMetrics {
  requireR2Rows(actual.length, rows)
  return scores(actual, predicted, precision)
}

/** mean_squared_error and mean_absolute_error alone, which one row does not trouble */
export function errorMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, precision: Precision): Omit<RegressionMetrics, 'r2'> {
  const { mse, mae } = scores(actual, predicted, precision)
  return { mse, mae }
}

function scores(actual: ArrayLike<number>, predicted: ArrayLike<number>, precision: Precision): RegressionMetrics {
  const round = precision === 'float32' ? Math.fround : (v: number) => v
  const n = actual.length
  const squares = new Float64Array(n)
  const absolute = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const e = round(actual[i] - predicted[i])
    squares[i] = round(e * e)
    absolute[i] = Math.abs(e)
  }
  // np.average(y_true, axis=0): the sum in the arrays' precision, divided by n in it
  const mean = round(numpySum(actual, n, round) / n)
  const deviations = Float64Array.from(actual, (v) => round(round(v - mean) * round(v - mean)))
  // R²'s sums are taken in float64 whatever the arrays' precision (sum(dtype=np.float64))
  const ssRes = numpySum(squares, n, (v) => v)
  const ssTot = numpySum(deviations, n, (v) => v)
  // sklearn's force_finite: a constant target scores 1 when predicted exactly, else 0
  const r2 = ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot
  return { r2, mse: round(numpySum(squares, n, round) / n), mae: round(numpySum(absolute, n, round) / n) }
}

export function classificationMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: string[]): ClassificationMetrics {
  const k = classes.length
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  let correct = 0
  for (let i = 0; i < actual.length; i++) {
    confusion[actual[i]][predicted[i]]++
    if (actual[i] === predicted[i]) correct++
  }
  return { accuracy: actual.length === 0 ? 0 : correct / actual.length, classes, confusion }
}

/**
 * Class decisions from raw outputs, as skorch's predict makes them: a single binary output is
 * class 1 above the loss's threshold; several logits are torch.softmax's float32 probabilities'
 * argmax (numpy's: the first of equals), which can tie where the logits differ in the last bits.
 */
export function decide(output: Float32Array, n: number, width: number, threshold = 0): Int32Array {
  const labels = new Int32Array(n)
  if (width === 1) {
    for (let i = 0; i < n; i++) labels[i] = output[i] > threshold ? 1 : 0
    return labels
  }
  const probabilities = new Float64Array(width)
  for (let i = 0; i < n; i++) {
    softmaxRow(output, i * width, width, probabilities)
    // numpy's argmax takes the first NaN as the largest (an infinite logit's inf − inf)
    let best = 0
    for (let j = 1; j < width && !Number.isNaN(probabilities[best]); j++) if (probabilities[j] > probabilities[best] || Number.isNaN(probabilities[j])) best = j
    labels[i] = best
  }
  return labels
}

/**
 * One row of torch 1.13's float32 softmax over the last dimension (_vec_softmax_lastdim): the
 * maximum, exp(x − max) in float32, the sum in vec::reduce_all's order, its reciprocal, each exp
 * times it.
 */
function softmaxRow(output: Float32Array, start: number, width: number, into: Float64Array): void {
  const f = Math.fround
  let max = output[start]
  for (let j = 1; j < width; j++) max = Math.max(max, output[start + j])
  for (let j = 0; j < width; j++) into[j] = f(Math.exp(f(output[start + j] - max)))
  const sum = reduceAllSum(into, 0, width)
  const reciprocal = f(1 / sum)
  for (let j = 0; j < width; j++) into[j] = f(into[j] * reciprocal)
}
