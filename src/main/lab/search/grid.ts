/**
 * The settings a search tries: the full grid in scikit-learn's ParameterGrid order, or
 * n_iter random draws; and one setting applied to the base model and training config.
 */
import { labError } from '../../../shared/errors'
import {
  ACTIVATIONS,
  LOSSES,
  modelArchSchema,
  optimizerSpecSchema,
  trainConfigSchema,
  type ModelArch,
  type SearchConfig,
  type SearchParam,
  type SearchValue,
  type TrainConfig,
} from '../../../shared/schemas'
import { validate } from '../validate'
import { createRng } from '../data/rng'

export type Params = Partial<Record<SearchParam, SearchValue>>

/** skorch's names, so that settings come in the order GridSearchCV lists them (sorted by name) */
const SKORCH_NAME: Record<SearchParam, string> = {
  lr: 'lr',
  epochs: 'max_epochs',
  batch_size: 'batch_size',
  optimizer: 'optimizer',
  momentum: 'optimizer__momentum',
  hidden: 'module__hidden',
  activation: 'module__activation',
  loss: 'criterion',
}

export function sortedParams(grid: SearchConfig['grid']): SearchParam[] {
  return (Object.keys(grid) as SearchParam[]).sort((a, b) => (SKORCH_NAME[a] < SKORCH_NAME[b] ? -1 : 1))
}

/** itertools.product over the sorted keys: the last key varies fastest */
export function expandGrid(grid: SearchConfig['grid']): Params[] {
  let settings: Params[] = [{}]
  for (const key of sortedParams(grid)) {
    settings = settings.flatMap((s) => grid[key]!.map((v) => ({ ...s, [key]: v })))
  }
  return settings
}

/** n_iter draws: lr log-uniform between the smallest and largest value given, the rest picked from their lists */
export function sampleSettings(grid: SearchConfig['grid'], nIter: number, seed: number): Params[] {
  const rng = createRng(seed, 4)
  return Array.from({ length: nIter }, () => {
    const params: Params = {}
    for (const key of sortedParams(grid)) {
      const values = grid[key]!
      const numbers = values.filter((v): v is number => typeof v === 'number' && v > 0)
      if (key === 'lr' && numbers.length >= 2) {
        const [lo, hi] = [Math.log(Math.min(...numbers)), Math.log(Math.max(...numbers))]
        params[key] = Number(Math.exp(lo + rng() * (hi - lo)).toPrecision(4))
      } else {
        params[key] = values[Math.floor(rng() * values.length)]
      }
    }
    return params
  })
}

function wrong(key: string, value: SearchValue, expected: string): never {
  throw labError('INVALID_ARGUMENT', `The search value ${JSON.stringify(value)} for ${key} is not ${expected}.`)
}

export function applySetting(model: ModelArch, train: TrainConfig, params: Params): { model: ModelArch; train: TrainConfig } {
  let arch: ModelArch = structuredClone(model)
  const next: Record<string, unknown> = structuredClone(train)
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
        const known = ['SGD', 'Adam', 'AdamW', 'RMSprop'].find((o) => o.toLowerCase() === name.toLowerCase())
        if (!known) wrong(key, value, 'SGD, Adam, AdamW or RMSprop')
        for (const k of Object.keys(optimizer)) if (!['lr', 'momentum', 'weightDecay'].includes(k)) delete optimizer[k]
        if (known === 'Adam' || known === 'AdamW') delete optimizer.momentum
        if (known === 'AdamW') delete optimizer.weightDecay
        optimizer.name = known
        break
      }
      case 'loss': {
        const name = typeof value === 'string' ? LOSSES.find((l) => l.toLowerCase().startsWith(value.toLowerCase())) : undefined
        next.loss = name ?? wrong(key, value, `one of ${LOSSES.join(', ')}`)
        break
      }
      case 'hidden': {
        const sizes = typeof value === 'number' ? [value] : Array.isArray(value) ? value : wrong(key, value, 'layer sizes such as 16 or [16, 16]')
        const activation = arch.kind === 'mlp' ? arch.hidden[0].activation : 'ReLU'
        arch = { kind: 'mlp', hidden: sizes.map((units) => ({ units, activation })) }
        break
      }
      case 'activation': {
        const name = typeof value === 'string' ? ACTIVATIONS.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined
        if (!name) wrong(key, value, `one of ${ACTIVATIONS.join(', ')}`)
        if (arch.kind !== 'mlp') throw labError('INVALID_ARGUMENT', 'Searching over activations needs an MLP; the linear model has none.')
        arch = { kind: 'mlp', hidden: arch.hidden.map((h) => ({ ...h, activation: name })) }
        break
      }
    }
  }
  if ('momentum' in params && optimizer.name !== 'SGD' && optimizer.name !== 'RMSprop') {
    throw labError('INVALID_ARGUMENT', `${String(optimizer.name)} has no momentum; search momentum with SGD or RMSprop.`)
  }
  next.optimizer = validate(optimizerSpecSchema, optimizer, 'search setting')
  return { model: validate(modelArchSchema, arch, 'search setting'), train: validate(trainConfigSchema, next, 'search setting') }
}
