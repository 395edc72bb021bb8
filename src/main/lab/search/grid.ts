/**
 * The settings a search tries: the full grid in scikit-learn's ParameterGrid order, or
 * n_iter random draws (a setting is applied to the model and training config by shared/searchGrid).
 */
import type { SearchConfig, SearchParam } from '../../../shared/schemas'
import { type Params } from '../../../shared/searchGrid'
import { createRng, STREAM } from '../data/rng'

export { applySetting, type Params } from '../../../shared/searchGrid'

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
  const rng = createRng(seed, STREAM.search)
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

