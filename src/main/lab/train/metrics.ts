/** Scores as scikit-learn computes them (r2_score, mean_squared_error, accuracy_score, confusion_matrix). */
import type { ClassificationMetrics, RegressionMetrics } from '../../../shared/api'

export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  const n = actual.length
  let mean = 0
  for (let i = 0; i < n; i++) mean += actual[i]
  mean /= n
  let ssRes = 0
  let ssTot = 0
  let abs = 0
  for (let i = 0; i < n; i++) {
    const e = actual[i] - predicted[i]
    ssRes += e * e
    ssTot += (actual[i] - mean) ** 2
    abs += Math.abs(e)
  }
  // sklearn's force_finite: a constant target scores 1 when predicted exactly, else 0
  const r2 = ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot
  return { r2, mse: ssRes / n, mae: abs / n }
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

/** Class decisions from raw outputs: argmax of logits, or output > threshold (a logit's 0, a probability's 0.5) for a single binary output. */
export function decide(output: Float32Array, n: number, width: number, threshold = 0): Int32Array {
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    if (width === 1) {
      labels[i] = output[i] > threshold ? 1 : 0
      continue
    }
    let best = 0
    for (let j = 1; j < width; j++) if (output[i * width + j] > output[i * width + best]) best = j
    labels[i] = best
  }
  return labels
}
