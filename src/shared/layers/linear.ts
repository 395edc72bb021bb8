/**
 * nn.Linear(in_features, out_features): y = x Wᵀ + b with W kept [out, in] as torch keeps it.
 * Initialised as torch's reset_parameters: kaiming_uniform_(a=√5) comes to U(−1/√in, 1/√in)
 * for the weight, and the bias takes the same bound (the random stream is TorchLab's own).
 */
import { z } from 'zod'
import { argsShape } from '../catalog/args'
import { labError } from '../errors'
import { ColumnSums } from './columnSums'
import type { DenseRuntime, LayerModule } from './layer'

const ARGS = [
  { key: 'inFeatures', torch: 'in_features', type: 'int', min: 1, max: 4096, label: 'in_features', inferred: true },
  { key: 'outFeatures', torch: 'out_features', type: 'int', min: 1, max: 4096, label: 'out_features' },
] as const

export const linearSchema = z.object({ kind: z.literal('Linear'), ...argsShape(ARGS) })
export type LinearLayer = z.output<typeof linearSchema>

/**
 * Σ a[ao + j] · b[bo + j] in float32 arithmetic — each product and each sum rounded as torch's
 * CPU kernels round them — so predictions agree with torch's to the last bit on small layers.
 */
function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, k: number): number {
  let s = 0
  for (let j = 0; j < k; j++) s = Math.fround(s + Math.fround(a[ao + j] * b[bo + j]))
  return s
}

/** y[yo + j] += g · x[xo + j] */
function axpy(g: number, x: Float32Array, xo: number, y: Float32Array, yo: number, k: number): void {
  let j = 0
  for (; j + 3 < k; j += 4) {
    y[yo + j] += g * x[xo + j]
    y[yo + j + 1] += g * x[xo + j + 1]
    y[yo + j + 2] += g * x[xo + j + 2]
    y[yo + j + 3] += g * x[xo + j + 3]
  }
  for (; j < k; j++) y[yo + j] += g * x[xo + j]
}

function runtime(k: number, m: number): DenseRuntime {
  const w = new Float32Array(m * k)
  const b = new Float32Array(m)
  const gw = new Float32Array(m * k)
  const gb = new Float32Array(m)
  const batchSums = new ColumnSums()
  return {
    params: [w, b],
    grads: [gw, gb],
    buffers: [],
    forward(x, y, n) {
      for (let r = 0; r < n; r++) {
        const xo = r * k
        const yo = r * m
        for (let o = 0; o < m; o++) y[yo + o] = Math.fround(dot(x, xo, w, o * k, k) + b[o])
      }
    },
    backward(x, _y, dy, n, dx) {
      gw.fill(0)
      for (let r = 0; r < n; r++) {
        const go = r * m
        const xo = r * k
        for (let o = 0; o < m; o++) {
          const g = dy[go + o]
          if (g !== 0) axpy(g, x, xo, gw, o * k, k)
        }
      }
      // in torch's order: a balanced batch (L1's ±1/n) must sum to torch's exact 0, not ±2⁻²⁶
      batchSums.sum(dy, n, m, gb)
      if (!dx) return
      // dL/dx[r, j] = Σ_o dy[r, o] · W[o, j]
      dx.fill(0, 0, n * k)
      for (let r = 0; r < n; r++) {
        const go = r * m
        for (let o = 0; o < m; o++) {
          const g = dy[go + o]
          if (g !== 0) axpy(g, w, o * k, dx, r * k, k)
        }
      }
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
  dense: (layer, k) => runtime(k, layer.outFeatures!),
  recognise(tensors) {
    const w = tensors.get('weight')
    const b = tensors.get('bias')
    if (tensors.size !== 2 || w?.length !== 2 || b?.length !== 1 || b[0] !== w[0]) return null
    return { layer: { kind: 'Linear', inFeatures: w[1], outFeatures: w[0] }, inFeatures: w[1] }
  },
}
