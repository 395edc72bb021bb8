/** PyTorch's losses (mean reduction): the value, and its gradient with respect to the outputs. */
import { labError } from '../../../../shared/errors'
import { assertNever } from '../../../../shared/exhaustive'
import type { LossSpec } from '../../../../shared/catalog/losses'

/** log clamped at −100, as torch's binary_cross_entropy clamps it */
const clampedLog = (v: number): number => Math.max(Math.log(v), -100)

/**
 * out: [n, width] outputs; target: [n] values, 0/1 labels or class indices; grad: filled with
 * dLoss/dOut. Returns the loss, summed in double precision.
 */
export function lossAndGrad(spec: LossSpec, out: Float32Array, target: Float32Array, n: number, width: number, grad: Float32Array | null): number {
  const name = spec.name
  let total = 0
  if (name === 'CrossEntropyLoss') {
    for (let r = 0; r < n; r++) {
      const row = r * width
      let max = -Infinity
      for (let c = 0; c < width; c++) max = Math.max(max, out[row + c])
      let sum = 0
      for (let c = 0; c < width; c++) sum += Math.exp(out[row + c] - max)
      const logSum = max + Math.log(sum)
      const t = target[r]
      total += logSum - out[row + t]
      if (grad) for (let c = 0; c < width; c++) grad[row + c] = (Math.exp(out[row + c] - logSum) - (c === t ? 1 : 0)) / n
    }
    return total / n
  }
  const count = n * width
  for (let i = 0; i < count; i++) {
    const x = out[i]
    const t = target[Math.floor(i / width)]
    const d = x - t
    switch (name) {
      case 'MSELoss':
        total += d * d
        if (grad) grad[i] = (2 * d) / count
        break
      case 'L1Loss':
        total += Math.abs(d)
        if (grad) grad[i] = Math.sign(d) / count
        break
      case 'HuberLoss': {
        const delta = spec.huberDelta
        const z = Math.abs(d)
        total += z < delta ? 0.5 * d * d : delta * (z - 0.5 * delta)
        if (grad) grad[i] = (d < -delta ? -delta : d > delta ? delta : d) / count
        break
      }
      case 'SmoothL1Loss': {
        const beta = spec.smoothL1Beta
        const z = Math.abs(d)
        // beta 0 is L1Loss, as torch treats it
        total += beta === 0 ? z : z < beta ? (0.5 * d * d) / beta : z - 0.5 * beta
        if (grad) grad[i] = (beta === 0 ? Math.sign(d) : d < -beta ? -1 : d > beta ? 1 : d / beta) / count
        break
      }
      case 'BCEWithLogitsLoss':
        total += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)))
        if (grad) grad[i] = (1 / (1 + Math.exp(-x)) - t) / count
        break
      case 'BCELoss':
        if (x < 0 || x > 1) {
          throw labError('INVALID_ARGUMENT', `BCELoss takes probabilities between 0 and 1, but the model gave ${x}. End the model with Sigmoid(), or use BCEWithLogitsLoss on its raw outputs.`)
        }
        total -= t * clampedLog(x) + (1 - t) * clampedLog(1 - x)
        if (grad) grad[i] = (x - t) / Math.max((1 - x) * x, 1e-12) / count
        break
      default:
        assertNever(name, 'loss')
    }
  }
  return total / count
}
