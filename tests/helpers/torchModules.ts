/** A TorchLab model as the nn modules torch_reference.py builds: each layer's type and keyword arguments, by torch's names. */
import { activationOf, isActivation } from '../../src/shared/catalog/activations'
import { LAYER_MODULES } from '../../src/shared/layers'
import { placeLayers } from '../../src/shared/modelSpec'
import type { ModelSpec } from '../../src/shared/schemas'

export function torchModules(spec: ModelSpec): { type: string; kwargs: Record<string, unknown> }[] {
  return placeLayers(spec).map(({ layer }) => {
    const args = isActivation(layer.kind) ? activationOf(layer.kind).args : LAYER_MODULES[layer.kind].args
    const values = layer as unknown as Record<string, unknown>
    return { type: layer.kind, kwargs: Object.fromEntries(args.map((a) => [a.torch, values[a.key]])) }
  })
}
