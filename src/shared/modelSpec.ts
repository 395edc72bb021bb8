/**
 * A ModelSpec's layers in place: each with its input and output width and the prefix torch's
 * state_dict() gives its tensors — `linear.` for the course's LinearRegressionTorch (which
 * holds `self.linear = nn.Linear(in, out)`), the position `0.`, `1.`, … in an nn.Sequential.
 * Names come from positions and from each layer's own tensors, never from index arithmetic.
 */
import { labError } from './errors'
import { activationLayer, type ActivationLayer, type ActivationName } from './catalog/activations'
import { layerSpecSchema, moduleOf, type LayerSpec } from './layers'
import type { TensorShape } from './layers/layer'
import type { ModelArch, ModelSpec } from './schemas'

export interface PlacedLayer {
  /** the state_dict prefix without its dot: "linear", "0", "1", … */
  prefix: string
  layer: LayerSpec
  inFeatures: number
  outFeatures: number
}

export interface StateDictEntry extends TensorShape {
  /** the layer it belongs to */
  prefix: string
}

/** the layers of an architecture, sized from the data's widths; checks every size written in */
function resolveLayers(layers: readonly LayerSpec[], inFeatures: number, outputs: number): PlacedLayer[] {
  let width = inFeatures
  return layers.map((given, i) => {
    const mod = moduleOf(given)
    const layer = mod.resolve(given, width, outputs, i)
    const placed = { prefix: String(i), layer, inFeatures: width, outFeatures: mod.outFeatures(layer, width) }
    width = placed.outFeatures
    return placed
  })
}

export function placeLayers(spec: ModelSpec): PlacedLayer[] {
  if (spec.kind === 'linear') {
    return [{ prefix: 'linear', layer: { kind: 'Linear', inFeatures: spec.inFeatures, outFeatures: spec.outFeatures }, inFeatures: spec.inFeatures, outFeatures: spec.outFeatures }]
  }
  return resolveLayers(spec.layers, spec.inFeatures, spec.outFeatures)
}

/** every state_dict entry in torch's order: layer by layer, parameters then buffers */
export function stateDictShapes(spec: ModelSpec): StateDictEntry[] {
  return placeLayers(spec).flatMap(({ prefix, layer, inFeatures }) =>
    moduleOf(layer)
      .tensors(layer, inFeatures)
      // a literal with every field, not a spread: a spread's object shape depends on its call site's state, and a
      // training thread that meets a new shape each run throws away the code it optimised for the last one
      .map((t) => ({ name: `${prefix}.${t.name}`, shape: t.shape, dtype: t.dtype, buffer: t.buffer, prefix }) satisfies Required<StateDictEntry>),
  )
}

/** what the optimizer updates: model.parameters() */
export function parameterCount(spec: ModelSpec): number {
  return numbersIn(stateDictShapes(spec).filter((t) => !t.buffer))
}

/** the numbers in the model's whole state_dict: its parameters and its buffers (BatchNorm1d's running statistics) */
export function stateDictSize(spec: ModelSpec): number {
  return numbersIn(stateDictShapes(spec))
}

const numbersIn = (entries: readonly StateDictEntry[]): number => entries.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0)

/** a tensor's values by name, as a lesson's checks read them: `linear.weight` when it holds one number, else `0.weight[3]` (flattened, row-major) */
export function valueNames(name: string, count: number): string[] {
  return count === 1 ? [name] : Array.from({ length: count }, (_, i) => `${name}[${i}]`)
}

/** every number of a model's state_dict by name, in torch's order: what a run's per-epoch parameter series holds */
export function stateDictValueNames(spec: ModelSpec): string[] {
  return stateDictShapes(spec).flatMap((t) => valueNames(t.name, numbersIn([t])))
}

/** The architecture with the data's widths: every Linear and BatchNorm1d sized, the output count checked. */
export function resolveModel(arch: ModelArch, inFeatures: number, outputs: number): ModelSpec {
  if (arch.kind === 'linear') return { kind: 'linear', inFeatures, outFeatures: outputs }
  const placed = resolveLayers(arch.layers, inFeatures, outputs)
  const width = placed[placed.length - 1].outFeatures
  if (width !== outputs) {
    throw labError(
      'INVALID_ARGUMENT',
      `The model ends with ${width} output(s), but this data and loss need ${outputs} (one per class for CrossEntropyLoss, else 1). Leave the last Linear's out_features empty (Linear() in --layers) and TorchLab sizes it.`,
    )
  }
  return { kind: 'sequential', inFeatures, outFeatures: outputs, layers: placed.map((p) => p.layer) }
}

/**
 * `--model mlp --hidden 16,16`: Linear and activation pairs, then a Linear sized by the data. The
 * activation by name has torch's defaults; given as a layer, it keeps its own (LeakyReLU(0.2)).
 */
export function mlpLayers(hidden: readonly number[], activation: ActivationName | ActivationLayer): LayerSpec[] {
  const layer = typeof activation === 'string' ? activationLayer(activation) : activation
  return [...hidden.flatMap((units) => [layerSpecSchema.parse({ kind: 'Linear', outFeatures: units }), { ...layer }]), layerSpecSchema.parse({ kind: 'Linear' })]
}

/** load_state_dict's complaints, key by key: missing and unexpected keys, then size mismatches. */
export function stateDictMismatches(given: readonly { name: string; shape: readonly number[] }[], expected: readonly { name: string; shape: readonly number[] }[]): string[] {
  const byName = new Map(given.map((t) => [t.name, t.shape]))
  const missing = expected.filter((e) => !byName.has(e.name)).map((e) => `"${e.name}"`)
  const unexpected = given.filter((t) => !expected.some((e) => e.name === t.name)).map((t) => `"${t.name}"`)
  const problems: string[] = []
  if (missing.length) problems.push(`Missing key(s): ${missing.join(', ')}.`)
  if (unexpected.length) problems.push(`Unexpected key(s): ${unexpected.join(', ')}.`)
  for (const { name, shape } of expected) {
    const found = byName.get(name)
    if (found && found.join(',') !== shape.join(',')) {
      problems.push(`size mismatch for ${name}: copying a param with shape [${found.join(', ')}], the shape in the current model is [${shape.join(', ')}].`)
    }
  }
  return problems
}
