/**
 * The activation modules (nn.ReLU, nn.LeakyReLU(negative_slope), …) as layers: no tensors,
 * the width unchanged, the function and its derivative from the activation catalogue.
 */
import { keywordArgs } from '../catalog/args'
import { activationOf, type ActivationLayer } from '../catalog/activations'
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
    const { f, der, grad, alone } = activationOf(layer.kind)
    const a = argsOf(layer)
    const inputGrad = grad ?? ((dy: number, x: number, y: number) => dy * der(x, y, a))
    return {
      params: [],
      grads: [],
      buffers: [],
      forward(x, y, n) {
        if (alone && n * k === 1) y[0] = alone.f(x[0], a)
        else for (let i = 0, end = n * k; i < end; i++) y[i] = f(x[i], a)
      },
      backward(x, y, dy, n, dx) {
        if (!dx) return
        if (alone && n * k === 1) dx[0] = alone.grad(dy[0], x[0], y[0], a)
        else for (let i = 0, end = n * k; i < end; i++) dx[i] = inputGrad(dy[i], x[i], y[i], a)
      },
    }
  },
  recognise: () => null,
}
