/**
 * nn.BatchNorm1d(num_features, eps, momentum, affine, track_running_stats) on [n, C] rows.
 * Training: each column is normalised with the batch's mean and biased variance, and the
 * running statistics move by `momentum` towards the batch mean and the unbiased variance;
 * num_batches_tracked counts the batches (an int64 in the file). Eval: the running statistics
 * normalise instead. The batch statistics are rounded as torch's CPU kernel rounds them on one
 * thread (torch.set_num_threads(1)), and so are its gradients; with more threads, torch splits the
 * rows and its last bits move.
 */
import { z } from 'zod'
import { argsShape, keywordArgs } from '../catalog/args'
import { labError } from '../errors'
import { fmaf } from '../float32'
import type { DenseRuntime, LayerModule, TensorShape } from './layer'

const f32 = Math.fround

const ARGS = [
  { key: 'numFeatures', torch: 'num_features', type: 'int', min: 1, max: 4096, label: 'num_features', inferred: true },
  { key: 'eps', torch: 'eps', type: 'number', default: 1e-5, above: 0, label: 'eps' },
  { key: 'momentum', torch: 'momentum', type: 'number', default: 0.1, min: 0, max: 1, label: 'momentum' },
  { key: 'affine', torch: 'affine', type: 'boolean', default: true, label: 'affine' },
  { key: 'trackRunningStats', torch: 'track_running_stats', type: 'boolean', default: true, label: 'track_running_stats' },
] as const

export const batchNorm1dSchema = z.strictObject({ kind: z.literal('BatchNorm1d'), ...argsShape(ARGS) })
export type BatchNorm1dLayer = z.output<typeof batchNorm1dSchema>

function runtime(layer: BatchNorm1dLayer, c: number): DenseRuntime {
  const { eps, momentum, affine, trackRunningStats } = layer
  const gamma = Float32Array.from({ length: c }, () => 1)
  const beta = new Float32Array(c)
  const gGamma = new Float32Array(c)
  const gBeta = new Float32Array(c)
  const runningMean = new Float32Array(c)
  const runningVar = Float32Array.from({ length: c }, () => 1)
  // int64 in torch: counted in double precision, so it stays exact past float32's 2^24
  const tracked = new Float64Array(1)
  /** the statistics the last forward pass normalised with */
  const mean = new Float64Array(c)
  const invstd = new Float64Array(c)
  const batchStats = (training: boolean) => training || !trackRunningStats
  return {
    params: affine ? [gamma, beta] : [],
    grads: affine ? [gGamma, gBeta] : [],
    buffers: trackRunningStats ? [runningMean, runningVar, tracked] : [],
    forward(x, y, n, training) {
      if (batchStats(training)) {
        if (n < 2) {
          throw labError(
            'INVALID_ARGUMENT',
            `BatchNorm1d needs more than 1 row per batch while training, as in PyTorch, but a batch has ${n}. Choose a batch size that leaves no single row at the end of an epoch, or turn on drop_last.`,
          )
        }
        // torch 1.13's order on [n, C] rows (batch_norm_cpu_collect_stats, channels-last): each column summed
        // row by row in float32, the squared deviations added by fused multiply-adds; the running statistics
        // mixed with momentum in float32, the unbiased variance's share in double (measured bit for bit)
        const m32 = f32(momentum)
        const keep = f32(1 - m32)
        for (let j = 0; j < c; j++) {
          let sum = 0
          for (let r = 0; r < n; r++) sum = f32(sum + x[r * c + j])
          const m = f32(sum / n)
          let squares = 0
          for (let r = 0; r < n; r++) {
            const d = f32(x[r * c + j] - m)
            squares = fmaf(d, d, squares)
          }
          mean[j] = m
          invstd[j] = f32(1 / Math.sqrt(f32(squares / n) + eps))
          if (training && trackRunningStats) {
            runningMean[j] = f32(m32 * m) + f32(keep * runningMean[j])
            runningVar[j] = m32 * f32(squares / (n - 1)) + f32(keep * runningVar[j])
          }
        }
        if (training && trackRunningStats) tracked[0] += 1
      } else {
        for (let j = 0; j < c; j++) {
          mean[j] = runningMean[j]
          invstd[j] = Math.fround(1 / Math.sqrt(runningVar[j] + eps))
        }
      }
      for (let j = 0; j < c; j++) {
        // torch folds the statistics and the affine parameters into one scale and shift
        const alpha = Math.fround(invstd[j] * (affine ? gamma[j] : 1))
        const shift = Math.fround((affine ? beta[j] : 0) - mean[j] * alpha)
        for (let r = 0; r < n; r++) y[r * c + j] = x[r * c + j] * alpha + shift
      }
    },
    backward(x, _y, dy, n, dx, training) {
      // torch 1.13's order on [n, C] rows (batch_norm_cpu_backward_channels_last_impl, one thread): each
      // column's gradient summed row by row in float32 and its dot product with x − mean taken by fused
      // multiply-adds; grad_input as the kernel writes it, op by op in float32, its − (x − mean)·k fused.
      // An affine-free BatchNorm1d's input gradient sums to 0 only in exact arithmetic: the Linear before
      // it gets torch's bias gradient of a few 1e-8 only from torch's roundings (measured bit for bit)
      for (let j = 0; j < c; j++) {
        const m = mean[j]
        const s = invstd[j]
        let sum = 0
        let dot = 0
        for (let r = 0; r < n; r++) {
          const g = dy[r * c + j]
          sum = f32(sum + g)
          dot = fmaf(f32(x[r * c + j] - m), g, dot)
        }
        if (affine) {
          gGamma[j] = f32(dot * s)
          gBeta[j] = sum
        }
        if (!dx) continue
        const w = affine ? gamma[j] : 1
        if (batchStats(training)) {
          const k = f32(f32(f32(dot * s) * s) / n)
          const gradMean = f32(sum / n)
          for (let r = 0; r < n; r++) {
            const i = r * c + j
            dx[i] = f32(fmaf(-f32(x[i] - m), k, f32(dy[i] - gradMean)) * s) * w
          }
        } else {
          for (let r = 0; r < n; r++) dx[r * c + j] = f32(dy[r * c + j] * s) * w
        }
      }
    },
  }
}

export const batchNorm1d: LayerModule<BatchNorm1dLayer> = {
  args: ARGS,
  positional: () => ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats'],
  blurb: 'normalises each feature over the batch (running statistics for eval)',
  resolve(layer, inFeatures, _outputs, index) {
    if (layer.numFeatures !== undefined && layer.numFeatures !== inFeatures) {
      throw labError('INVALID_ARGUMENT', `Layer ${index} is BatchNorm1d(${layer.numFeatures}) but receives ${inFeatures} feature(s); leave its num_features out (BatchNorm1d()) and TorchLab fills in the size.`)
    }
    return { ...layer, numFeatures: inFeatures }
  },
  outFeatures: (_layer, c) => c,
  tensors(layer, c) {
    const out: TensorShape[] = []
    if (layer.affine) out.push({ name: 'weight', shape: [c], dtype: 'float32', buffer: false }, { name: 'bias', shape: [c], dtype: 'float32', buffer: false })
    if (layer.trackRunningStats) {
      out.push(
        { name: 'running_mean', shape: [c], dtype: 'float32', buffer: true },
        { name: 'running_var', shape: [c], dtype: 'float32', buffer: true },
        { name: 'num_batches_tracked', shape: [], dtype: 'int64', buffer: true },
      )
    }
    return out
  },
  init(layer, c) {
    const ones = () => Float32Array.from({ length: c }, () => 1)
    return [...(layer.affine ? [ones(), new Float32Array(c)] : []), ...(layer.trackRunningStats ? [new Float32Array(c), ones(), new Float32Array(1)] : [])]
  },
  // without running statistics torch normalises with the batch's in eval mode too
  evalMode: (layer) => (layer.trackRunningStats ? 'BatchNorm1d uses its running statistics, not the batch’s' : null),
  code: (layer, c) => `nn.BatchNorm1d(${[String(c), ...keywordArgs(ARGS, layer, ['numFeatures'])].join(', ')})`,
  dense: (layer, c) => runtime(layer, c),
  recognise(tensors) {
    const w = tensors.get('weight')
    const rm = tensors.get('running_mean')
    const c = (w ?? rm)?.[0]
    const vector = (name: string) => tensors.get(name)?.join() === String(c)
    const affine = w !== undefined && w.length === 1 && vector('bias')
    const track = rm !== undefined && rm.length === 1 && vector('running_var') && tensors.get('num_batches_tracked')?.length === 0
    if (c === undefined || (!affine && !track) || tensors.size !== (affine ? 2 : 0) + (track ? 3 : 0)) return null
    return { layer: { kind: 'BatchNorm1d', numFeatures: c, eps: 1e-5, momentum: 0.1, affine, trackRunningStats: track }, inFeatures: c }
  },
}
