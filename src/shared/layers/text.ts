/**
 * Layer lists as a student writes them, PyTorch's way: "Linear(16), BatchNorm1d(16), ReLU(),
 * Dropout(0.2), Linear(1)". Arguments by position or by torch's keyword; widths TorchLab can
 * infer (Linear's in_features, BatchNorm1d's num_features) may be left out and are checked
 * when written. Every refusal names the layer and what was wrong with it.
 */
import { matchName, type ArgSpec } from '../catalog/args'
import { activationOf, isActivation } from '../catalog/activations'
import { labError } from '../errors'
import { LAYER_KINDS, LAYER_MODULES, layerSpecSchema, type LayerKind, type LayerSpec } from '.'

function argsOf(kind: LayerKind): readonly ArgSpec[] {
  return isActivation(kind) ? activationOf(kind).args : LAYER_MODULES[kind].args
}

function positionalKeys(kind: LayerKind, count: number): readonly string[] {
  return isActivation(kind) ? activationOf(kind).args.map((a) => a.key) : LAYER_MODULES[kind].positional(count)
}

/** top-level commas only: "Linear(10, 16), ReLU()" is two items */
function splitTopLevel(text: string): string[] {
  const items: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i))
      start = i + 1
    }
  }
  items.push(text.slice(start))
  return items.map((s) => s.trim())
}

function value(text: string, where: string): number | boolean {
  const t = text.trim()
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true'
  const n = Number(t)
  if (t === '' || !Number.isFinite(n)) throw labError('INVALID_ARGUMENT', `${where}: "${t}" is not a number, True or False.`)
  return n
}

function parseLayer(item: string, index: number): LayerSpec {
  const match = /^(?:nn\.)?([A-Za-z0-9_]+)\s*(?:\((.*)\))?$/s.exec(item)
  if (!match) throw labError('INVALID_ARGUMENT', `Layer ${index} ("${item}") is not written as Name(arguments), for example Linear(16) or ReLU().`)
  const kind = matchName(match[1], LAYER_KINDS)
  if (!kind) throw labError('INVALID_ARGUMENT', `Layer ${index} ("${match[1]}") is not a layer TorchLab builds. Choose one of: ${LAYER_KINDS.join(', ')}.`)
  const where = `Layer ${index} (${kind})`
  const raw = match[2]?.trim() ? splitTopLevel(match[2]) : []
  const args = argsOf(kind)
  const positional = raw.filter((a) => !a.includes('='))
  if (raw.findIndex((a) => a.includes('=')) >= 0 && raw.findLastIndex((a) => !a.includes('=')) > raw.findIndex((a) => a.includes('='))) {
    throw labError('INVALID_ARGUMENT', `${where}: positional arguments come before keyword arguments, as in Python.`)
  }
  const keys = positionalKeys(kind, positional.length)
  if (positional.length > keys.length) {
    throw labError('INVALID_ARGUMENT', `${where} takes ${keys.length === 0 ? 'no positional arguments' : `at most ${keys.length} positional argument(s) (${keys.map((k) => args.find((a) => a.key === k)!.torch).join(', ')})`}, not ${positional.length}.`)
  }
  const fields: Record<string, unknown> = { kind }
  positional.forEach((text, i) => (fields[keys[i]] = value(text, where)))
  for (const text of raw.filter((a) => a.includes('='))) {
    const [name, v] = text.split('=', 2).map((s) => s.trim())
    const arg = args.find((a) => a.torch === name)
    if (!arg) throw labError('INVALID_ARGUMENT', `${where} has no argument "${name}"${args.length ? `; it takes ${args.map((a) => a.torch).join(', ')}` : ''}.`)
    fields[arg.key] = value(v, where)
  }
  const parsed = layerSpecSchema.safeParse(fields)
  if (!parsed.success) throw labError('INVALID_ARGUMENT', `${where}: ${parsed.error.issues.map((i) => i.message).join(' ')}`)
  return parsed.data
}

export function parseLayers(text: string): LayerSpec[] {
  const items = splitTopLevel(text.trim().replace(/^nn\.Sequential\((.*)\)$/s, '$1')).filter((s, i, all) => s !== '' || i < all.length - 1)
  if (items.length === 0 || items.every((s) => s === '')) throw labError('INVALID_ARGUMENT', '--layers needs at least one layer, for example "Linear(16), ReLU(), Linear(1)".')
  return items.map(parseLayer)
}
