/**
 * ModelSpec -> layers and parameter names exactly as PyTorch's state_dict() names them:
 * the course's LinearRegressionTorch holds `self.linear = nn.Linear(in, out)`, an MLP is an
 * nn.Sequential of Linear and activation modules, so its Linear layers sit at even indices.
 */
import type { Activation, ModelArch, ModelSpec } from './schemas'

export interface DenseLayer {
  weight: string
  bias: string
  inFeatures: number
  outFeatures: number
  /** applied after this layer; none after the last */
  activation?: Activation
}

export function denseLayers(spec: ModelSpec): DenseLayer[] {
  if (spec.kind === 'linear') {
    return [{ weight: 'linear.weight', bias: 'linear.bias', inFeatures: spec.inFeatures, outFeatures: spec.outFeatures }]
  }
  const sizes = [spec.inFeatures, ...spec.hidden.map((h) => h.units), spec.outFeatures]
  return sizes.slice(1).map((out, i) => ({
    weight: `${2 * i}.weight`,
    bias: `${2 * i}.bias`,
    inFeatures: sizes[i],
    outFeatures: out,
    activation: spec.hidden[i]?.activation,
  }))
}

export function parameterShapes(spec: ModelSpec): { name: string; shape: number[] }[] {
  return denseLayers(spec).flatMap((l) => [
    { name: l.weight, shape: [l.outFeatures, l.inFeatures] },
    { name: l.bias, shape: [l.outFeatures] },
  ])
}

export function parameterCount(spec: ModelSpec): number {
  return denseLayers(spec).reduce((n, l) => n + l.outFeatures * (l.inFeatures + 1), 0)
}

export function resolveModel(arch: ModelArch, inFeatures: number, outFeatures: number): ModelSpec {
  return arch.kind === 'linear' ? { kind: 'linear', inFeatures, outFeatures } : { kind: 'mlp', inFeatures, outFeatures, hidden: arch.hidden }
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
