/**
 * nn.Linear's default initialisation: kaiming_uniform_(a=√5) for the weight, which comes to
 * U(−1/√fan_in, 1/√fan_in), and the same bound for the bias. Seeded with TorchLab's own
 * generator: the bounds are PyTorch's, the random stream is not torch.manual_seed's.
 */
import type { ModelSpec } from '../../../shared/schemas'
import { createRng, STREAM } from '../data/rng'
import { denseLayers } from '../../../shared/modelSpec'
import type { StateDict } from './stateDict'

export function initialStateDict(spec: ModelSpec, seed: number): StateDict {
  const rng = createRng(seed, STREAM.init)
  return denseLayers(spec).flatMap((layer) => {
    const bound = 1 / Math.sqrt(layer.inFeatures)
    const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, () => (rng() * 2 - 1) * bound)
    return [
      { name: layer.weight, shape: [layer.outFeatures, layer.inFeatures], data: uniform(layer.outFeatures * layer.inFeatures) },
      { name: layer.bias, shape: [layer.outFeatures], data: uniform(layer.outFeatures) },
    ]
  })
}
