/**
 * A state_dict's names and shapes -> the model that has them. `linear.weight` [out, in] is the
 * course's LinearRegressionTorch; `0.weight`, `1.running_mean`, … an nn.Sequential whose
 * layers each recognise their own tensors (layers/*.ts). Parameter-free layers (activations,
 * Dropout) leave no trace, only a gap in the positions: the caller chooses the activations
 * that fill the gaps, in order (ReLU unless told otherwise).
 */
import { labError } from '../../../shared/errors'
import { activationLayer } from '../../../shared/catalog/activations'
import { LAYER_MODULES, type LayerSpec } from '../../../shared/layers'
import type { Activation, ModelSpec } from '../../../shared/schemas'
import { namedTensor, type NamedTensor, type StateDict } from '../model/stateDict'
import type { NamedTorchTensor } from './contents'
import { int64AsDouble, ownsMemory, Tensor, toFloat32 } from './tensor'

/** a file's tensors as the lab holds them: float32, and integer counts (int64) in double precision so they stay exact */
export function toFloat32StateDict(tensors: NamedTorchTensor[]): StateDict {
  const taken = new Set<Float32Array>()
  return tensors.map(({ name, tensor }) => {
    const data = tensor.data
    const count = tensor.dtype === 'int64'
    let values: Float32Array | Float64Array
    if (data instanceof Float32Array) {
      // a view into the file is copied: the next file is read into the same memory, and a view would drag the whole file
      // along; an array already read out of the file (unaligned, strided) is the weights' own, unless a tied weight took it
      values = ownsMemory(data) && !taken.has(data) ? data : data.slice()
      taken.add(values)
    } else {
      values = count ? Float64Array.from(data as BigInt64Array, int64AsDouble) : toFloat32(data)
    }
    return namedTensor({ name, shape: [...tensor.shape], ...(count ? { dtype: 'int64' } : {}) }, values)
  })
}

/** a state_dict entry as torch stores it: float32, or int64 for counters such as num_batches_tracked */
export function toTorchTensor(t: NamedTensor): Tensor {
  return t.dtype === 'int64' ? new Tensor('int64', t.shape, BigInt64Array.from(t.data, (v) => BigInt(Math.round(v)))) : new Tensor('float32', t.shape, t.data)
}

/** prefixes a wrapper puts before every name of the model it wraps, and the wrapper */
const WRAPPER_PREFIXES = new Map([
  ['module.', 'nn.DataParallel (or DistributedDataParallel)'],
  ['_orig_mod.', 'torch.compile'],
])

/** how to get the plain names back, when every key carries a wrapper's prefix */
function wrapperHint(names: string[]): string {
  const found = [...WRAPPER_PREFIXES].find(([prefix]) => names.length > 0 && names.every((n) => n.startsWith(prefix)))
  if (!found) return ''
  const [prefix, wrapper] = found
  return (
    ` They all start with "${prefix}", which ${wrapper} adds to the names of the model it wraps: in PyTorch, ` +
    `torch.nn.modules.utils.consume_prefix_in_state_dict_if_present(state_dict, '${prefix}') removes it; save the state_dict again after that.`
  )
}

function unsupported(names: string[], why = 'describe another architecture'): never {
  throw labError(
    'CHECKPOINT_UNSUPPORTED',
    `TorchLab builds LinearRegressionTorch or an nn.Sequential of Linear, BatchNorm1d, Dropout and activation layers; ` +
      `this file's keys (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}) ${why}.${wrapperHint(names)}`,
  )
}

const RECOGNISERS = [...new Set(Object.values(LAYER_MODULES))]

export function inferModel(tensors: NamedTorchTensor[], activations: Activation[] = []): ModelSpec {
  const names = tensors.map((t) => t.name)
  const shape = (name: string) => tensors.find((t) => t.name === name)?.tensor.shape
  const w = shape('linear.weight')
  if (names.length === 2 && w?.length === 2 && shape('linear.bias')?.join() === String(w[0])) {
    return { kind: 'linear', inFeatures: w[1], outFeatures: w[0] }
  }
  const groups = new Map<number, Map<string, readonly number[]>>()
  for (const { name, tensor } of tensors) {
    const match = /^(\d+)\.(\w+)$/.exec(name)
    if (!match || Number(match[1]) > 1000) unsupported(names)
    const index = Number(match[1])
    if (!groups.has(index)) groups.set(index, new Map())
    groups.get(index)!.set(match[2], tensor.shape)
  }
  if (groups.size === 0) unsupported(names)
  const last = Math.max(...groups.keys())
  const layers: LayerSpec[] = []
  let gaps = 0
  let width: number | undefined
  let inFeatures: number | undefined
  for (let index = 0; index <= last; index++) {
    const group = groups.get(index)
    if (!group) {
      layers.push(activationLayer(activations[gaps++] ?? 'ReLU'))
      continue
    }
    const found = RECOGNISERS.map((m) => m.recognise(group)).find((r) => r !== null)
    if (!found) unsupported(names, `at position ${index} (${[...group.keys()].join(', ')}) are no layer TorchLab knows`)
    if (width !== undefined && found.inFeatures !== width) {
      throw labError('CHECKPOINT_UNSUPPORTED', `Layer ${index} takes ${found.inFeatures} inputs but the layer before it gives ${width}.`)
    }
    inFeatures ??= found.inFeatures
    const layer = found.layer as LayerSpec
    width = layer.kind === 'Linear' ? layer.outFeatures! : found.inFeatures
    layers.push(layer)
  }
  if (!layers.some((l) => l.kind === 'Linear')) unsupported(names, 'hold no Linear layer')
  return { kind: 'sequential', inFeatures: inFeatures!, outFeatures: width!, layers }
}
