/**
 * Grid values as a student types them — "lr=0.02,0.05" on the command line, "0.02, 0.05" in
 * the search panel; hidden layer sizes as 16 or 16x16 — and one setting applied to a model and
 * training config, which the search and the window's "use these settings" share.
 */
import { validate } from './issueSentence'
import { matchName } from './catalog/args'
import { activationLayer, isActivation, type ActivationLayer } from './catalog/activations'
import { COURSE } from './catalog/course'
import { findLoss } from './catalog/losses'
import { hasArg, optimizerOf } from './catalog/optimizers'
import { labError } from './errors'
import { assertNever } from './exhaustive'
import { mlpLayers } from './modelSpec'
import {
  ACTIVATIONS,
  LOSSES,
  OPTIMIZERS,
  SEARCH_PARAMS,
  modelArchSchema,
  optimizerSpecSchema,
  searchConfigSchema,
  trainConfigSchema,
  type ModelArch,
  type OptimizerName,
  type SearchConfig,
  type SearchConfigInput,
  type SearchParam,
  type SearchValue,
  type TrainConfig,
} from './schemas'

export type Params = Partial<Record<SearchParam, SearchValue>>

export function gridValue(key: SearchParam, text: string): SearchValue {
  if (key === 'hidden') {
    const sizes = text.split(/[x×]/).map(Number)
    if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw labError('INVALID_ARGUMENT', `Hidden sizes are layer widths such as 16, or 16x16 for two hidden layers; "${text}" is not one.`)
    return sizes
  }
  const n = Number(text)
  return text.trim() !== '' && Number.isFinite(n) ? n : text
}

export function parseGrid(entries: string[]): Partial<Record<SearchParam, SearchValue[]>> {
  const grid: Partial<Record<SearchParam, SearchValue[]>> = {}
  for (const entry of entries) {
    const [key, values] = entry.split('=', 2)
    if (!values || !(SEARCH_PARAMS as readonly string[]).includes(key)) {
      throw labError('INVALID_ARGUMENT', `--grid takes NAME=v1,v2,… with NAME one of ${SEARCH_PARAMS.join(', ')}; "${entry}" is not that.`)
    }
    grid[key as SearchParam] = parseGridValues(key as SearchParam, values)
  }
  return grid
}

/** one hyperparameter's comma list; empty text means "not searched" */
export function parseGridValues(key: SearchParam, text: string): SearchValue[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => gridValue(key, v))
}

/** a value as the student types it: hidden sizes as 16x16 */
export const gridValueText = (value: SearchValue | undefined): string => (Array.isArray(value) ? value.join('x') : String(value ?? ''))

/** one hyperparameter's values as the comma list parseGridValues reads back */
export const gridValuesText = (values: readonly SearchValue[]): string => values.map(gridValueText).join(', ')

function wrong(key: string, value: SearchValue, expected: string): never {
  throw labError('INVALID_ARGUMENT', `The search value ${JSON.stringify(value)} for ${key} is not ${expected}.`)
}

/** a deep copy of validated settings (plain JSON data: finite numbers, strings, arrays, objects) */
const copyOf = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/**
 * The model at other hidden sizes. A stack of Linear layers with one activation between them is
 * rebuilt at any depth, as skorch's module__hidden builds it, its activation's own arguments kept
 * (a LeakyReLU(0.2) stays 0.2). Any other model keeps every layer it has (BatchNorm1d, Dropout,
 * mixed activations) and each hidden Linear layer takes the width in its place, the widths after
 * it inferred again: rebuilt as a stack, it was searched without them.
 */
function atHiddenSizes(arch: ModelArch, sizes: number[]): ModelArch {
  if (arch.kind !== 'sequential') return { kind: 'sequential', layers: mlpLayers(sizes, COURSE.hiddenActivation) }
  const { layers } = arch
  const activation = layers.find((l): l is ActivationLayer => isActivation(l.kind))
  const stack = layers.length % 2 === 1 && layers.every((l, i) => (i % 2 === 0 ? l.kind === 'Linear' : JSON.stringify(l) === JSON.stringify(activation)))
  if (stack) return { kind: 'sequential', layers: mlpLayers(sizes, activation ?? COURSE.hiddenActivation) }
  const hidden = layers.filter((l) => l.kind === 'Linear').length - 1
  if (sizes.length !== hidden) {
    const others = [...new Set(layers.filter((l) => l.kind !== 'Linear').map((l) => l.kind))].join(', ')
    throw labError(
      'INVALID_ARGUMENT',
      `A search keeps this model's other layers (${others}), so a hidden-size setting names one width for each of its ${hidden} hidden Linear layer(s); "${sizes.join('x')}" names ${sizes.length}.`,
    )
  }
  let at = 0
  return {
    kind: 'sequential',
    layers: layers.map((l) => {
      if (l.kind === 'Linear') return { ...l, inFeatures: undefined, outFeatures: at < hidden ? sizes[at++] : l.outFeatures }
      return l.kind === 'BatchNorm1d' ? { ...l, numFeatures: undefined } : l
    }),
  }
}

/** one setting applied to the base model and training config, as a skorch net's set_params would */
export function applySetting(model: ModelArch, train: TrainConfig, params: Params): { model: ModelArch; train: TrainConfig } {
  let arch: ModelArch = copyOf(model)
  const next: Record<string, unknown> = copyOf(train)
  const optimizer: Record<string, unknown> = { ...train.optimizer }
  for (const [key, value] of Object.entries(params) as [SearchParam, SearchValue][]) {
    switch (key) {
      case 'lr':
        optimizer.lr = typeof value === 'number' ? value : wrong(key, value, 'a number')
        break
      case 'momentum':
        optimizer.momentum = typeof value === 'number' ? value : wrong(key, value, 'a number')
        break
      case 'epochs':
        next.epochs = value
        break
      case 'batch_size':
        next.batchSize = value
        break
      case 'optimizer': {
        const name = typeof value === 'string' ? value : wrong(key, value, 'an optimizer name')
        const known = matchName(name, OPTIMIZERS) ?? wrong(key, value, `one of ${OPTIMIZERS.join(', ')}`)
        // a value carries over where both optimizers mean the same by it (momentum from SGD to
        // RMSprop), not where their defaults differ (AdamW's weight decay of 0.01)
        const before = optimizerOf(train.optimizer.name).args
        const after = optimizerOf(known).args
        for (const k of Object.keys(optimizer)) {
          const old = before.find((a) => a.key === k)
          const now = after.find((a) => a.key === k)
          if (k !== 'lr' && (!now || !old || old.default !== now.default)) delete optimizer[k]
        }
        optimizer.name = known
        break
      }
      case 'loss': {
        const name = typeof value === 'string' ? findLoss(value) : undefined
        next.loss = name ?? wrong(key, value, `one of ${LOSSES.join(', ')}`)
        break
      }
      case 'hidden':
        arch = atHiddenSizes(arch, typeof value === 'number' ? [value] : Array.isArray(value) ? value : wrong(key, value, 'layer sizes such as 16 or [16, 16]'))
        break
      case 'activation': {
        const name = typeof value === 'string' ? matchName(value, ACTIVATIONS) : undefined
        if (!name) wrong(key, value, `one of ${ACTIVATIONS.join(', ')}`)
        if (arch.kind !== 'sequential' || !arch.layers.some((l) => isActivation(l.kind))) {
          throw labError('INVALID_ARGUMENT', 'Searching over activations needs a model with activation layers, and this one has none: add one (ReLU, Tanh, …) between its Linear layers, or leave activation out of the grid.')
        }
        arch = { kind: 'sequential', layers: arch.layers.map((l) => (isActivation(l.kind) ? activationLayer(name) : l)) }
        break
      }
      default:
        assertNever(key, 'search setting')
    }
  }
  if ('momentum' in params && !hasArg(String(optimizer.name) as OptimizerName, 'momentum')) {
    throw labError('INVALID_ARGUMENT', `${String(optimizer.name)} has no momentum; search momentum with ${OPTIMIZERS.filter((o) => hasArg(o, 'momentum')).join(' or ')}.`)
  }
  next.optimizer = validate(optimizerSpecSchema, optimizer, 'search setting')
  return { model: validate(modelArchSchema, arch, 'search setting'), train: validate(trainConfigSchema, next, 'search setting') }
}

/**
 * A search request as the service takes it before any fit: its schema, then every value of the
 * grid applied to the base model and settings (momentum with each optimizer the grid tries,
 * since only those pairs meet in a setting). The Search panel runs this as the student types,
 * so a value Start would refuse is refused at once, in the sentence Start would give.
 */
export function checkSearchConfig(input: SearchConfigInput): SearchConfig {
  const config = validate(searchConfigSchema, input, 'search')
  for (const [key, values] of Object.entries(config.grid) as [SearchParam, SearchValue[]][]) {
    const withOptimizers = key === 'momentum' && config.grid.optimizer ? config.grid.optimizer.map((optimizer) => ({ optimizer })) : [{}]
    for (const value of values) {
      for (const optimizer of withOptimizers) applySetting(config.model, config.train, { ...optimizer, [key]: value })
    }
  }
  return config
}
