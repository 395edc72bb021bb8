/**
 * Grid values as a student types them — "lr=0.02,0.05" on the command line, "0.02, 0.05" in
 * the search panel; hidden layer sizes as 16 or 16x16.
 */
import { labError } from './errors'
import { SEARCH_PARAMS, type SearchParam, type SearchValue } from './schemas'

export function gridValue(key: SearchParam, text: string): SearchValue {
  if (key === 'hidden') {
    const sizes = text.split(/[x×]/).map(Number)
    if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw labError('INVALID_ARGUMENT', `--grid hidden takes layer sizes such as 16 or 16x16, not "${text}".`)
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
