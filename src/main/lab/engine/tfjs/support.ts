/**
 * What the tfjs engine runs, declared rather than discovered: Linear and the activations, with
 * every loss and optimizer. Selection reads this before loading tfjs, so a model it cannot run
 * is refused (or, on auto, left to the dense engine) with the reason named.
 */
import { ACTIVATIONS, type ActivationName } from '../../../../shared/catalog/activations'
import type { LayerKind, LayerSpec } from '../../../../shared/layers'
import { placeLayers } from '../../../../shared/modelSpec'
import type { ModelSpec } from '../../../../shared/schemas'

export const TFJS_LAYERS = ['Linear', ...ACTIVATIONS] as const satisfies readonly LayerKind[]
export type TfjsLayer = Extract<LayerSpec, { kind: 'Linear' | ActivationName }>

export function isTfjsLayer(layer: LayerSpec): layer is TfjsLayer {
  return (TFJS_LAYERS as readonly string[]).includes(layer.kind)
}

/** why tfjs cannot run this model, or null when it can */
export function tfjsRefusal(model: ModelSpec): string | null {
  const other = placeLayers(model).find((p) => !isTfjsLayer(p.layer))
  return other ? `The tfjs engine runs Linear layers and activations only, not ${other.layer.kind} (layer ${other.prefix}); the dense engine runs every layer.` : null
}
