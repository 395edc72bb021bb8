/**
 * CrossEntropyLoss (mean reduction, no weights) as torch 1.13 computes it on this CPU, float32 op
 * for op: log_softmax over each row (_vec_log_softmax_lastdim: the max, Sleef's expf of x − max
 * summed in vec::reduce_all's order, Sleef's logf of the sum, then x − max − logsum), nll_loss's
 * mean (the negated picks in cascaded partial sums, LossNLL.cpp, divided by the row count), and
 * the backward: nll_loss_backward puts −1/n at each row's target, and log_softmax's backward
 * (_vec_host_softmax_backward_lastdim) takes g − exp(logp)·sum(g) with Sleef's expf.
 */
import { reduceAllSum } from '../../../../shared/catalog/vectorLoop'
import { sleefExpf, sleefLogf } from '../../../../shared/catalog/sleefKernels'
import { fmaf } from '../../../../shared/float32'

const f32 = Math.fround

/** nll_loss's cascade: eight levels of partial sums, each level 2^levelPower rows of the one below */
const NLL_LEVELS = 8

/** ⌈log₂ x⌉, and 1 for x ≤ 2 (c10's CeilLog2) */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : Math.ceil(Math.log2(x))
}

export class CrossEntropyKernel {
  /** one row's exponentials, for their sum in torch's order */
  private exps = new Float32Array(0)
  private readonly partial = new Float32Array(NLL_LEVELS)

  /** sizes the row buffer ahead of a run, as TorchLoss.reserve does its own */
  reserve(width: number): void {
    if (this.exps.length < width) this.exps = new Float32Array(width)
  }

  /** torch's float32 loss of n rows of `width` logits; fills grad (when given) with dLoss/dOut */
  compute(out: Float32Array, target: Float32Array, n: number, width: number, grad: Float32Array | null): number {
    if (this.exps.length < width) this.reserve(width)
    const exps = this.exps
    const partial = this.partial.fill(0)
    const levelPower = Math.max(4, Math.floor(ceilLog2(n) / NLL_LEVELS))
    const levelMask = (1 << levelPower) - 1
    // nll_loss_backward's −grad_output / total_weight, in float32
    const pick = -f32(1 / n)
    for (let r = 0; r < n; r++) {
      const row = r * width
      let max = -Infinity
      for (let c = 0; c < width; c++) max = Math.max(max, out[row + c])
      for (let c = 0; c < width; c++) exps[c] = sleefExpf(f32(out[row + c] - max))
      const logSum = sleefLogf(reduceAllSum(exps, 0, width))
      const t = target[r]
      partial[0] = f32(partial[0] - f32(f32(out[row + t] - max) - logSum))
      for (let j = 0; j + 1 < NLL_LEVELS; j++) {
        if ((r & (levelMask << (j * levelPower))) !== 0) break
        partial[j + 1] = f32(partial[j + 1] + partial[j])
        partial[j] = 0
      }
      if (grad) {
        // the row's gradient sums to its one pick; g − exp(logp)·sum with the product fused, which
        // away from the target (g = 0) is the product rounded once
        for (let c = 0; c < width; c++) {
          const e = sleefExpf(f32(f32(out[row + c] - max) - logSum))
          grad[row + c] = c === t ? fmaf(-e, pick, pick) : f32(-e * pick)
        }
      }
    }
    let total = 0
    for (let j = 0; j < NLL_LEVELS; j++) total = f32(total + partial[j])
    return f32(total / n)
  }
}
