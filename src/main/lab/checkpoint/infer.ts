/**
 * A state_dict's names and shapes -> the model that has them. `linear.weight` [out, in] is the
 * course's LinearRegressionTorch; `0.weight`, `2.weight`, … an nn.Sequential of Linear layers
 * with activations between them. Activations leave no trace in a state_dict: the caller
 * chooses them (ReLU unless told otherwise).
 */
import { labError } from '../../../shared/errors'
import type { Activation, ModelSpec } from '../../../shared/schemas'
import type { StateDict } from '../model/stateDict'
import type { NamedTorchTensor } from './contents'

export function toFloat32StateDict(tensors: NamedTorchTensor[]): StateDict {
  return tensors.map(({ name, tensor }) => ({
    name,
    shape: [...tensor.shape],
    // a copy: the tensor may be a view into the whole file, which must not travel with the weights
    data: tensor.data instanceof Float32Array ? tensor.data.slice() : Float32Array.from(tensor.data as ArrayLike<number | bigint>, Number),
  }))
}

function unsupported(names: string[]): never {
  throw labError(
    'CHECKPOINT_UNSUPPORTED',
    `TorchLab builds models from nn.Linear layers (LinearRegressionTorch or an nn.Sequential of Linear and activation layers); ` +
      `this file's keys (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}) describe another architecture.`,
  )
}

export function inferModel(tensors: NamedTorchTensor[], activations: Activation[] = []): ModelSpec {
  const names = tensors.map((t) => t.name)
  const shape = (name: string) => tensors.find((t) => t.name === name)?.tensor.shape
  const w = shape('linear.weight')
  if (names.length === 2 && w?.length === 2 && shape('linear.bias')?.join() === String(w[0])) {
    return { kind: 'linear', inFeatures: w[1], outFeatures: w[0] }
  }
  const indices = [...new Set(names.map((n) => Number(n.split('.')[0])))].sort((a, b) => a - b)
  const layered = names.every((n) => /^\d+\.(weight|bias)$/.test(n)) && names.length === indices.length * 2
  if (!layered || indices.some((index, i) => index !== 2 * i)) unsupported(names)
  const sizes: number[] = []
  for (const index of indices) {
    const weight = shape(`${index}.weight`)
    const bias = shape(`${index}.bias`)
    if (weight?.length !== 2 || bias?.length !== 1 || bias[0] !== weight[0]) unsupported(names)
    if (sizes.length && sizes[sizes.length - 1] !== weight[1]) {
      throw labError('CHECKPOINT_UNSUPPORTED', `Layer ${index} takes ${weight[1]} inputs but the layer before it gives ${sizes[sizes.length - 1]}.`)
    }
    if (!sizes.length) sizes.push(weight[1])
    sizes.push(weight[0])
  }
  if (indices.length === 1) unsupported(names)
  const hidden = sizes.slice(1, -1).map((units, i) => ({ units, activation: activations[i] ?? ('ReLU' as Activation) }))
  return { kind: 'mlp', inFeatures: sizes[0], outFeatures: sizes[sizes.length - 1], hidden }
}
