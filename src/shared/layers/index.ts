/**
 * Every layer kind TorchLab builds, by name. Adding a kind is one module beside these and one
 * line in each list below; a kind missing from LAYER_MODULES fails to compile.
 */
import { z } from 'zod'
import type { ArgSpec } from '../catalog/args'
import { ACTIVATIONS, activationOf, activationSchema, isActivation, type ActivationName } from '../catalog/activations'
import { activation } from './activation'
import { batchNorm1d, batchNorm1dSchema } from './batchNorm1d'
import { dropout, dropoutSchema } from './dropout'
import type { LayerModule } from './layer'
import { linear, linearSchema } from './linear'

export const layerSpecSchema = z.discriminatedUnion('kind', [linearSchema, batchNorm1dSchema, dropoutSchema, activationSchema])
export type LayerSpec = z.output<typeof layerSpecSchema>
export type LayerSpecInput = z.input<typeof layerSpecSchema>
export type LayerKind = LayerSpec['kind']

type Modules = { [K in LayerKind]: LayerModule<Extract<LayerSpec, { kind: K }>> }

const ACTIVATION_MODULES = Object.fromEntries(ACTIVATIONS.map((name) => [name, activation])) as { [K in ActivationName]: LayerModule<Extract<LayerSpec, { kind: K }>> }

export const LAYER_MODULES: Modules = { Linear: linear, BatchNorm1d: batchNorm1d, Dropout: dropout, ...ACTIVATION_MODULES }

/** in the order the window offers them */
export const LAYER_KINDS = ['Linear', ...ACTIVATIONS, 'Dropout', 'BatchNorm1d'] as const satisfies readonly LayerKind[]

/** the module of a layer, typed for that layer */
export function moduleOf<L extends LayerSpec>(layer: L): LayerModule<L> {
  return LAYER_MODULES[layer.kind] as unknown as LayerModule<L>
}

/**
 * Why a model's metrics, measured in eval mode as model.eval() runs it, differ from its training
 * loss, measured in train mode; null when eval mode computes as training does (no Dropout with
 * p > 0, no BatchNorm1d keeping running statistics). The course's linear model has no layers.
 */
export function evalModeNote(model: { kind: string; layers?: readonly LayerSpec[] }): string | null {
  const phrases = [...new Set((model.layers ?? []).map((layer) => moduleOf(layer).evalMode(layer)).filter((p) => p !== null))]
  if (phrases.length === 0) return null
  return `Measured in eval mode, as model.eval() runs the model (${phrases.join('; ')}): these numbers differ from the training loss, which is measured in train mode.`
}

/** a layer of this kind with PyTorch's default arguments (a Linear of 16 units) */
export function defaultLayer(kind: LayerKind): LayerSpec {
  return layerSpecSchema.parse(kind === 'Linear' ? { kind, outFeatures: 16 } : { kind })
}

/**
 * the arguments a student sets for a layer. Widths TorchLab infers are left out unless the layer
 * fixes one (a file's weights trained from): hidden, a fixed width the data no longer gives could
 * not be seen or cleared.
 */
export function layerArgs(layer: LayerSpec): readonly ArgSpec[] {
  if (isActivation(layer.kind)) return activationOf(layer.kind).args
  return LAYER_MODULES[layer.kind].args.filter((a) => !(a.type !== 'boolean' && a.type !== 'pair' && a.inferred) || (layer as Record<string, unknown>)[a.key] !== undefined)
}
