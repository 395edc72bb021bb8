/** A model's layers as PyTorch prints them, with the shapes a batch takes through them and parameter counts. */
import type { ModelGraph } from '../../../shared/learning'
import { assertNever } from '../../../shared/exhaustive'
import type { LayerSpec } from '../../../shared/layers'
import { placeLayers, stateDictShapes } from '../../../shared/modelSpec'
import type { LossName, ModelSpec } from '../../../shared/schemas'

/** a number as Python's repr writes a float: 1.0, 0.01, 1e-05 */
function pyFloat(x: number): string {
  if (Number.isInteger(x)) return x.toFixed(1)
  const text = String(x)
  return /e-\d$/.test(text) ? text.replace(/e-(\d)$/, 'e-0$1') : text
}

const py = (b: boolean): string => (b ? 'True' : 'False')

/** each module's repr in torch 1.13 */
function repr(layer: LayerSpec, inFeatures: number, outFeatures: number): string {
  switch (layer.kind) {
    case 'Linear':
      return `Linear(in_features=${inFeatures}, out_features=${outFeatures}, bias=True)`
    case 'BatchNorm1d':
      return `BatchNorm1d(${inFeatures}, eps=${pyFloat(layer.eps)}, momentum=${pyFloat(layer.momentum)}, affine=${py(layer.affine)}, track_running_stats=${py(layer.trackRunningStats)})`
    case 'Dropout':
      return `Dropout(p=${pyFloat(layer.p)}, inplace=False)`
    case 'LeakyReLU':
      return `LeakyReLU(negative_slope=${pyFloat(layer.negativeSlope)})`
    case 'ELU':
      return `ELU(alpha=${pyFloat(layer.alpha)})`
    case 'GELU':
      return "GELU(approximate='none')"
    case 'Softplus':
      return `Softplus(beta=${layer.beta}, threshold=${layer.threshold})`
    case 'ReLU':
    case 'Sigmoid':
    case 'Tanh':
      return `${layer.kind}()`
    default:
      return assertNever(layer, 'layer kind')
  }
}

export function modelGraph(spec: ModelSpec, loss: LossName): ModelGraph {
  const tensors = stateDictShapes(spec).filter((t) => !t.buffer)
  const layers = placeLayers(spec).map(({ prefix, layer, inFeatures, outFeatures }) => {
    const parameters = tensors.filter((t) => t.prefix === prefix).map(({ name, shape }) => ({ name, shape }))
    return {
      name: prefix,
      module: repr(layer, inFeatures, outFeatures),
      inShape: ['N' as const, inFeatures],
      outShape: ['N' as const, outFeatures],
      parameters,
      parameterCount: parameters.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
    }
  })
  return { layers, parameterCount: layers.reduce((s, l) => s + l.parameterCount, 0), loss: `${loss}()` }
}
