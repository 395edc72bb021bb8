/**
 * A model's initial state_dict, each layer initialised as torch initialises it (nn.Linear's
 * kaiming-uniform bounds, BatchNorm1d's ones and zeros), seeded with TorchLab's own generator:
 * the bounds are PyTorch's, the random stream is not torch.manual_seed's.
 */
import type { ModelSpec } from '../../../shared/schemas'
import { moduleOf } from '../../../shared/layers'
import { placeLayers } from '../../../shared/modelSpec'
import { createRng, STREAM } from '../data/rng'
import { namedTensor, type StateDict } from './stateDict'

export function initialStateDict(spec: ModelSpec, seed: number): StateDict {
  const rng = createRng(seed, STREAM.init)
  return placeLayers(spec).flatMap(({ prefix, layer, inFeatures }) => {
    const mod = moduleOf(layer)
    const values = mod.init(layer, inFeatures, rng)
    return mod.tensors(layer, inFeatures).map((t, i) => namedTensor({ ...t, name: `${prefix}.${t.name}` }, values[i]))
  })
}
