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

export const linearSchema = z.strictObject({ kind: z.literal('Linear'), ...argsShape(ARGS) })
export type LinearLayer = z.output<typeof linearSchema>

/** a class, not an object of closures: every network's Linear shares one call target, so a new run does not undo the previous one's optimised code */
class LinearRuntime implements DenseRuntime {
  readonly params: Float32Array[]
  readonly grads: Float32Array[]
  readonly buffers: Float32Array[] = []
  private readonly w: Float32Array
  private readonly b: Float32Array
  private readonly gw: Float32Array
  private readonly gb: Float32Array
  private readonly batchSums = new ColumnSums()

  constructor(
    private readonly k: number,
    private readonly m: number,
    private readonly ops: DenseOps,
  ) {
    this.w = ops.alloc(m * k)
    this.b = ops.alloc(m)
    this.gw = ops.alloc(m * k)
    this.gb = ops.alloc(m)
    this.params = [this.w, this.b]
    this.grads = [this.gw, this.gb]
  }

  forward(x: Float32Array, y: Float32Array, n: number): void {
    this.ops.linearForward(x, this.w, this.b, y, n, this.k, this.m)
  }

  backward(x: Float32Array, _y: Float32Array, dy: Float32Array, n: number, dx: Float32Array | null): void {
    this.ops.linearBackwardWeight(dy, x, this.gw, n, this.k, this.m)
    // in torch's order: a balanced batch (L1's ±1/n) must sum to torch's exact 0, not ±2⁻²⁶
    this.batchSums.sum(dy, n, this.m, this.gb)
    if (dx) this.ops.linearBackwardInput(dy, this.w, dx, n, this.k, this.m)
  }
}

export const linear: LayerModule<LinearLayer> = {
  args: ARGS,
  positional: (count) => (count === 1 ? ['outFeatures'] : ['inFeatures', 'outFeatures']),
  blurb: 'a fully connected layer: weight [out, in] and bias [out]',
  resolve(layer, inFeatures, outputs, index) {
    if (layer.inFeatures !== undefined && layer.inFeatures !== inFeatures) {
      throw labError('INVALID_ARGUMENT', `Layer ${index} is Linear(${layer.inFeatures}, …) but receives ${inFeatures} feature(s); leave its in_features out (Linear(${layer.outFeatures ?? outputs})) and TorchLab fills in the input size.`)
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
  evalMode: () => null,
  code: (layer, k) => `nn.Linear(${k}, ${layer.outFeatures})`,
  dense: (layer, k, _rng, ops = PLAIN_DENSE_OPS) => new LinearRuntime(k, layer.outFeatures!, ops),
  recognise(tensors) {
    const w = tensors.get('weight')
    const b = tensors.get('bias')
    if (tensors.size !== 2 || w?.length !== 2 || b?.length !== 1 || b[0] !== w[0]) return null
    return { layer: { kind: 'Linear', inFeatures: w[1], outFeatures: w[0] }, inFeatures: w[1] }
  },
}
