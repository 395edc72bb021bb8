/** A model's layers as PyTorch prints them, with the shapes a batch takes through them and parameter counts. */
import type { ModelGraph, ModelGraphLayer } from '../../../shared/learning'
import { denseLayers } from '../../../shared/modelSpec'
import type { Activation, LossName, ModelSpec } from '../../../shared/schemas'

/** each activation module's repr in torch 1.13 */
const ACTIVATION_REPR: Record<Activation, string> = {
  ReLU: 'ReLU()',
  Sigmoid: 'Sigmoid()',
  Tanh: 'Tanh()',
  LeakyReLU: 'LeakyReLU(negative_slope=0.01)',
  ELU: 'ELU(alpha=1.0)',
  GELU: "GELU(approximate='none')",
}

export function modelGraph(spec: ModelSpec, loss: LossName): ModelGraph {
  const layers: ModelGraphLayer[] = []
  denseLayers(spec).forEach((l, i) => {
    const parameters = [
      { name: l.weight, shape: [l.outFeatures, l.inFeatures] },
      { name: l.bias, shape: [l.outFeatures] },
    ]
    layers.push({
      name: spec.kind === 'linear' ? 'linear' : String(2 * i),
      module: `Linear(in_features=${l.inFeatures}, out_features=${l.outFeatures}, bias=True)`,
      inShape: ['N', l.inFeatures],
      outShape: ['N', l.outFeatures],
      parameters,
      parameterCount: l.outFeatures * (l.inFeatures + 1),
    })
    if (l.activation) {
      layers.push({ name: String(2 * i + 1), module: ACTIVATION_REPR[l.activation], inShape: ['N', l.outFeatures], outShape: ['N', l.outFeatures], parameters: [], parameterCount: 0 })
    }
  })
  return { layers, parameterCount: layers.reduce((s, l) => s + l.parameterCount, 0), loss: `${loss}()` }
}
