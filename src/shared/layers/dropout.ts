/**
 * nn.Dropout(p): in training each value is zeroed with probability p and the rest scaled by
 * 1/(1−p), so the expected output equals the input; in eval mode it passes values through.
 * The mask is drawn from TorchLab's seeded stream (torch's bernoulli stream is its own), so
 * runs repeat exactly, and p = 0 trains exactly as torch does.
 */
import { z } from 'zod'
import { argsShape } from '../catalog/args'
import type { DenseRuntime, LayerModule } from './layer'

const ARGS = [{ key: 'p', torch: 'p', type: 'number', default: 0.5, min: 0, max: 1, label: 'p' }] as const

export const dropoutSchema = z.strictObject({ kind: z.literal('Dropout'), ...argsShape(ARGS) })
export type DropoutLayer = z.output<typeof dropoutSchema>

function runtime(p: number, k: number, rng: () => number): DenseRuntime {
  // torch multiplies by 1/(1−p) rounded to float32; p = 1 zeroes everything
  const scale = p < 1 ? Math.fround(1 / (1 - p)) : 0
  let mask = new Float32Array(0)
  let masked = false
  return {
    params: [],
    grads: [],
    buffers: [],
    forward(x, y, n, training) {
      const count = n * k
      masked = training && p > 0
      if (!masked) {
        y.set(x.subarray(0, count))
        return
      }
      if (mask.length < count) mask = new Float32Array(count)
      for (let i = 0; i < count; i++) {
        mask[i] = rng() < p ? 0 : scale
        y[i] = x[i] * mask[i]
      }
    },
    backward(_x, _y, dy, n, dx) {
      if (!dx) return
      const count = n * k
      if (!masked) dx.set(dy.subarray(0, count))
      else for (let i = 0; i < count; i++) dx[i] = dy[i] * mask[i]
    },
  }
}

export const dropout: LayerModule<DropoutLayer> = {
  args: ARGS,
  positional: () => ['p'],
  blurb: 'zeroes a fraction p of values while training, scaling the rest by 1/(1−p)',
  resolve: (layer) => layer,
  outFeatures: (_layer, k) => k,
  tensors: () => [],
  init: () => [],
  evalMode: (layer) => (layer.p > 0 ? 'Dropout is off' : null),
  code: (layer) => `nn.Dropout(p=${layer.p})`,
  dense: (layer, k, rng) => runtime(layer.p, k, rng),
  recognise: () => null,
}
