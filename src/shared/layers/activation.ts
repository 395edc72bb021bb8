/**
 * The activation modules (nn.ReLU, nn.LeakyReLU(negative_slope), …) as layers: no tensors,
 * the width unchanged, the function and its derivative from the activation catalogue.
 */
import { keywordArgs } from '../catalog/args'
import { activationOf, type ActivationKernel, type ActivationLayer } from '../catalog/activations'
import { vectorEnd } from '../catalog/vectorLoop'
import type { LayerModule } from './layer'

const argsOf = (layer: ActivationLayer): Readonly<Record<string, number>> => layer as unknown as Record<string, number>

export const activation: LayerModule<ActivationLayer> = {
  // each activation's own arguments are in its catalogue entry; the layer adds none
  args: [],
  positional: () => [],
  blurb: 'an activation: applied to every value, no parameters',
  resolve: (layer) => layer,
  outFeatures: (_layer, k) => k,
  tensors: () => [],
  init: () => [],
  evalMode: () => null,
  code: (layer) => `nn.${layer.kind}(${keywordArgs(activationOf(layer.kind).args, argsOf(layer)).join(', ')})`,
  dense(layer, k) {
    const { f, der, grad, tail, alone } = activationOf(layer.kind)
    const a = argsOf(layer)
    const inputGrad = grad ?? ((dy: number, x: number, y: number) => dy * der(x, y, a))
    // torch's kernel for a tensor of `count` values: f and grad up to `end`, then `rest`'s (its
    // scalar tail past the vector loop, or a one-element tensor's own kernel)
    const restOf = (count: number): ActivationKernel | undefined => (alone && count === 1 ? alone : tail)
    const endOf = (count: number, rest: ActivationKernel | undefined): number => (rest === undefined ? count : rest === alone ? 0 : vectorEnd(count))
    return {
      params: [],
      grads: [],
      buffers: [],
      forward(x, y, n) {
        const count = n * k
        const rest = restOf(count)
        const end = endOf(count, rest)
        for (let i = 0; i < end; i++) y[i] = f(x[i], a)
        if (rest) for (let i = end; i < count; i++) y[i] = rest.f(x[i], a)
      },
      backward(x, y, dy, n, dx) {
        if (!dx) return
        const count = n * k
        const rest = restOf(count)
        const end = endOf(count, rest)
        for (let i = 0; i < end; i++) dx[i] = inputGrad(dy[i], x[i], y[i], a)
        if (rest) for (let i = end; i < count; i++) dx[i] = rest.grad(dy[i], x[i], y[i], a)
      },
    }
  },
  recognise: () => null,
}
