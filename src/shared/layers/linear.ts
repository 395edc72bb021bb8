/**
 * nn.Linear(in_features, out_features): y = x Wᵀ + b with W kept [out, in] as torch keeps it.
 * Initialised as torch's reset_parameters: kaiming_uniform_(a=√5) comes to U(−1/√in, 1/√in)
 * for the weight, and the bias takes the same bound (the random stream is TorchLab's own).
 */
import { z } from 'zod'
import { argsShape } from '../catalog/args'
import { labError } from '../errors'
import { ColumnSums } from './columnSums'
import { PLAIN_DENSE_OPS, type DenseOps } from './denseOps'
import type { DenseRuntime, LayerModule } from './layer'

const ARGS = [
  { key: 'inFeatures', torch: 'in_features', type: 'int', min: 1, max: 4096, label: 'in_features', inferred: true },
  { key: 'outFeatures', torch: 'out_features', type: 'int', min: 1, max: 4096, label: 'out_features' },
] as const

export const linearSchema = z.object({ kind: z.literal('Linear'), ...argsShape(ARGS) })
export type LinearLayer = z.output<typeof linearSchema>

function runtime(k: number, m: number, ops: DenseOps): DenseRuntime {
  const w = ops.alloc(m * k)
  const b = ops.alloc(m)
  const gw = ops.alloc(m * k)
  const gb = ops.alloc(m)
  const batchSums = new ColumnSums()
  return {
    params: [w, b],
    grads: [gw, gb],
    buffers: [],
    forward(x, y, n) {
      ops.linearForward(x, w, b, y, n, k, m)
    },
    backward(x, _y, dy, n, dx) {
      ops.linearBackwardParams(dy, x, gw, gb, n, k, m)
      // the bias gradient again, in torch's order: a balanced batch (L1's ±1/n) must sum to torch's exact 0, not ±2⁻²⁶
      batchSums.sum(dy, n, m, gb)
      if (dx) ops.linearBackwardInput(dy, w, dx, n, k, m)
    },
  }
}

export const linear: LayerModule<LinearLayer> = {
  args: ARGS,
  positional: (count) => (count === 1 ? ['outFeatures'] : ['inFeatures', 'outFeatures']),
  blurb: 'a fully connected layer: weight [out, in] and bias [out]',
  resolve(layer, inFeatures, outputs, index) {
    if (layer.inFeatures !== undefined && layer.inFeatures !== inFeatures) {
      throw labError('INVALID_ARGUMENT', `Layer ${index} is Linear(${layer.inFeatures}, …) but receives ${inFeatures} feature(s); write Linear(${layer.outFeatures ?? outputs}) and TorchLab fills in the input size.`)
    }
    return { kind: 'Linear', inFeatures, outFeatures: layer.outFeatures ?? outputs }
  },
  outFeatures: (layer) => layer.outFeatures!,
  tensors: (layer, k) => [
    { name: 'weight', shape: [layer.outFeatures!, k], dtype: 'float32', buffer: false },
    { name: 'bias', shape: [layer.outFeatures!], dtype: 'float32', buffer: false },
  ],
  init(layer, k, rng) {
    const bound = 1 / Math.sqrt(k)
    const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, () => (rng() * 2 - 1) * bound)
    const m = layer.outFeatures!
    return [uniform(m * k), uniform(m)]
  },
  code: (layer, k) => `nn.Linear(${k}, ${layer.outFeatures})`,
  dense: (layer, k, _rng, ops = PLAIN_DENSE_OPS) => runtime(k, layer.outFeatures!, ops),
  recognise(tensors) {
    const w = tensors.get('weight')
    const b = tensors.get('bias')
    if (tensors.size !== 2 || w?.length !== 2 || b?.length !== 1 || b[0] !== w[0]) return null
    return { layer: { kind: 'Linear', inFeatures: w[1], outFeatures: w[0] }, inFeatures: w[1] }
  },
}
