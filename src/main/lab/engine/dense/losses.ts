/**
 * PyTorch's losses (mean reduction): the value, and its gradient with respect to the outputs.
 * The value is torch's float32 one, the number a student compares with `loss.item()`: each
 * element's loss op by op in float32, as torch 1.13's CPU kernels compute it, then `mean()`,
 * which sums in torch's order (contiguousSum) and divides by the count in float32.
 */
import { labError } from '../../../../shared/errors'
import { assertNever } from '../../../../shared/exhaustive'
import type { LossSpec } from '../../../../shared/catalog/losses'
import { contiguousSum } from '../../../../shared/layers/columnSums'
import { vectorEnd as vectorLoopEnd } from '../../../../shared/catalog/vectorLoop'
import { ACTIVATION_TABLE } from '../../../../shared/catalog/activations'
import { sleefExpf, sleefLogf } from '../../../../shared/catalog/sleefKernels'
import { glibcLogf } from '../../../../shared/catalog/glibcKernels'
import { CrossEntropyKernel } from './crossEntropy'

const f32 = Math.fround

/** ln(v) as binary_cross_entropy's scalar kernel takes it (glibc's logf), clamped at −100 */
const clampedLog = (v: number): number => Math.max(glibcLogf(v), -100)

/** torch's Sigmoid kernel: BCEWithLogitsLoss's backward calls input.sigmoid() */
const SIGMOID = ACTIVATION_TABLE.find((a) => a.name === 'Sigmoid')!

/** torch's EPSILON in binary_cross_entropy_backward (1e-12), as a float32 */
const BCE_EPSILON = f32(1e-12)

/**
 * A loss over batches: out is [n, width] outputs, target [n] values, 0/1 labels or class
 * indices. It keeps the per-element losses of the last batch for torch's summation order, so a
 * step allocates nothing once reserved.
 */
export class TorchLoss {
  private elements = new Float32Array(0)
  private readonly crossEntropy = new CrossEntropyKernel()

  constructor(private readonly spec: LossSpec) {}

  /**
   * sizes the element buffer for batches of up to `rows` rows of `width` outputs. Called ahead
   * of a run (the engine's reserve) and only when a batch outgrows the buffer, never every step:
   * a method every step calls is optimised, and its growing branch, first taken by the next run's
   * new loss, had no type feedback there, so V8 threw a warm thread's code away
   * (tests/unit/warmThread.test.ts)
   */
  reserve(rows: number, width: number): void {
    if (this.elements.length < rows * width) this.elements = new Float32Array(rows * width)
    this.crossEntropy.reserve(width)
  }

  /** torch's float32 loss of the batch; fills grad (when given) with dLoss/dOut */
  compute(out: Float32Array, target: Float32Array, n: number, width: number, grad: Float32Array | null): number {
    if (this.spec.name === 'CrossEntropyLoss') return this.crossEntropy.compute(out, target, n, width, grad)
    const count = n * width
    if (this.elements.length < count) this.reserve(n, width)
    const elements = this.elements
    elementLosses(this.spec, out, target, count, width, elements, grad)
    // Tensor.mean(): torch's float32 sum, divided by the count in float32
    return f32(contiguousSum(elements, count) / count)
  }
}

/** each element's loss as torch's float32 kernel computes it into elements, and its gradient into grad */
function elementLosses(spec: LossSpec, out: Float32Array, target: Float32Array, count: number, width: number, elements: Float32Array, grad: Float32Array | null): void {
  const name = spec.name
  // the gradients of the regression losses as torch's float32 backward kernels compute them: the
  // difference in float32, times the mean's 1/n rounded to float32 (mse_backward, huber_backward, smooth_l1_backward)
  const norm = f32(1 / count)
  // torch's vector loop (PointwiseOpsKernel.cpp) rounds a loss's delta or beta to float32; its scalar tail keeps a double
  const vectorEnd = vectorLoopEnd(count)
  for (let i = 0; i < count; i++) {
    const x = out[i]
    const t = target[Math.floor(i / width)]
    const df = f32(x - t)
    switch (name) {
      case 'MSELoss':
        elements[i] = df * df
        if (grad) grad[i] = f32(2 / count) * df
        break
      case 'L1Loss':
        elements[i] = Math.abs(df)
        if (grad) grad[i] = Math.sign(df) * norm
        break
      case 'HuberLoss': {
        // huber_kernel: delta in float32 on both paths, 0.5·z·z or delta·(z − 0.5·delta)
        const delta = f32(spec.huberDelta)
        const z = Math.abs(df)
        elements[i] = z < delta ? f32(0.5 * z) * z : delta * f32(z - 0.5 * delta)
        if (grad) {
          const edge = i < vectorEnd ? delta : spec.huberDelta
          grad[i] = df <= -edge ? -(norm * edge) : df >= edge ? norm * edge : norm * df
        }
        break
      }
      case 'SmoothL1Loss': {
        // smooth_l1_loss with beta 0 is l1_loss; else smooth_l1_kernel with beta in float32
        const beta = spec.smoothL1Beta
        const edge = f32(beta)
        const z = Math.abs(df)
        elements[i] = beta === 0 ? z : z < edge ? f32(f32(f32(0.5 * z) * z) / edge) : f32(z - 0.5 * edge)
        if (grad) grad[i] = smoothL1Grad(df, beta, norm, i < vectorEnd)
        break
      }
      case 'BCEWithLogitsLoss': {
        // torch 1.13's composite: (1 − t)·x + m + log(exp(−m) + exp(−x − m)), m = max(−x, 0), op by
        // op; exp_ and log_ are vml ops (vec::map): Sleef's expf and logf on every value
        const m = Math.max(-x, 0)
        const spread = f32(sleefExpf(-m) + sleefExpf(f32(-x - m)))
        elements[i] = f32(f32(f32(f32(1 - t) * x) + m) + sleefLogf(spread))
        // (sigmoid(x) − t) / numel, each op in float32 as binary_cross_entropy_with_logits_backward,
        // the sigmoid torch's own kernel (Sleef's expf in its vector loop, glibc's in the tail)
        if (grad) grad[i] = f32(f32((i < vectorEnd ? SIGMOID : (SIGMOID.tail ?? SIGMOID)).f(x, {}) - t) / count)
        break
      }
      case 'BCELoss':
        // NaN passes on: it comes from weights that blew up, and the loop stops the run as diverged
        // where torch's BCELoss raises (its check is 0 <= x <= 1)
        if (x < 0 || x > 1) {
          throw labError('INVALID_ARGUMENT', `BCELoss takes probabilities between 0 and 1, but the model gave ${x}. End the model with Sigmoid(), or use BCEWithLogitsLoss on its raw outputs.`)
        }
        // binary_cross_entropy's kernel: (t − 1)·max(log(1 − x), −100) − t·max(log(x), −100)
        elements[i] = f32(f32(f32(t - 1) * clampedLog(f32(1 - x))) - f32(t * clampedLog(x)))
        // binary_cross_entropy_backward: (x − t) / max((1 − x)·x, EPSILON) in float32, then ÷ numel
        if (grad) grad[i] = f32(f32(f32(x - t) / Math.max(f32(f32(1 - x) * x), BCE_EPSILON)) / count)
        break
      case 'CrossEntropyLoss':
        throw new Error('CrossEntropyLoss is not elementwise')
      default:
        assertNever(name, 'loss')
    }
  }
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
