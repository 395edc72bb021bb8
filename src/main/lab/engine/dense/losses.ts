/** PyTorch's losses (mean reduction): the value, and its gradient with respect to the outputs. */
import { labError } from '../../../../shared/errors'
import { assertNever } from '../../../../shared/exhaustive'
import type { LossSpec } from '../../../../shared/catalog/losses'

/** log clamped at −100, as torch's binary_cross_entropy clamps it */
const clampedLog = (v: number): number => Math.max(Math.log(v), -100)

const f32 = Math.fround
/**
 * torch's elementwise CPU kernels (aten/src/ATen/native/cpu/PointwiseOpsKernel.cpp) run two
 * AVX2 vectors, 16 floats, at a time and the rest one at a time; a loss's delta or beta is
 * rounded to float32 in the vectors but stays a double in the scalar tail
 */
const VECTOR_SPAN = 16

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
  // the gradients of the regression losses as torch's float32 backward kernels compute them: the
  // difference in float32, times the mean's 1/n rounded to float32 (mse_backward, huber_backward, smooth_l1_backward)
  const norm = f32(1 / count)
  const vectorEnd = count - (count % VECTOR_SPAN)
  for (let i = 0; i < count; i++) {
    const x = out[i]
    const t = target[Math.floor(i / width)]
    const d = x - t
    switch (name) {
      case 'MSELoss':
        total += d * d
        if (grad) grad[i] = f32(2 / count) * f32(d)
        break
      case 'L1Loss':
        total += Math.abs(d)
        if (grad) grad[i] = Math.sign(d) * norm
        break
      case 'HuberLoss': {
        const delta = spec.huberDelta
        const z = Math.abs(d)
        total += z < delta ? 0.5 * d * d : delta * (z - 0.5 * delta)
        if (grad) {
          const edge = i < vectorEnd ? f32(delta) : delta
          const df = f32(d)
          grad[i] = df <= -edge ? -(norm * edge) : df >= edge ? norm * edge : norm * df
        }
        break
      }
      case 'SmoothL1Loss': {
        const beta = spec.smoothL1Beta
        const z = Math.abs(d)
        // beta 0 gives L1Loss's value, but not its gradient at a zero residual (see smoothL1Grad)
        total += beta === 0 ? z : z < beta ? (0.5 * d * d) / beta : z - 0.5 * beta
        if (grad) grad[i] = smoothL1Grad(f32(d), beta, norm, i < vectorEnd)
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

/**
 * smooth_l1_backward's two paths: the vectors divide by beta in float32 and then scale; the scalar
 * tail scales and then divides by beta in double. Both take a residual at ±beta as beyond it, so
 * at beta 0 a zero residual gets −1/n, where L1Loss's sign(0) gives 0.
 */
function smoothL1Grad(df: number, beta: number, norm: number, vector: boolean): number {
  if (vector) {
    const edge = f32(beta)
    return Math.abs(df) >= edge ? (df > 0 ? norm : -norm) : norm * f32(df / edge)
  }
  return df <= -beta ? -norm : df >= beta ? norm : f32(norm * df) / beta
}
