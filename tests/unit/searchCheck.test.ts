/**
 * The Search panel's check (shared/searchGrid's checkSearchConfig) refuses what the service's
 * startSearch refuses, in the same sentence, and passes what it starts: the panel says it as the
 * value is typed instead of after Start.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { SearchConfigInput } from '../../src/shared/schemas'
import { checkSearchConfig } from '../../src/shared/searchGrid'
import { COURSE_SEARCH } from '../helpers/courseSearch'
import { createService } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())

const refusal = (run: () => unknown): string => {
  try {
    run()
  } catch (err) {
    return (err as Error).message
  }
  return 'no refusal'
}

const REFUSED: [string, SearchConfigInput][] = [
  ['a word as a learning rate', { ...COURSE_SEARCH, grid: { lr: [0.02, 'abc'] } }],
  ['a fraction of folds', { ...COURSE_SEARCH, cv: 2.5 }],
  ['no folds at all', { ...COURSE_SEARCH, cv: null as unknown as number }],
  ['epochs of 0', { ...COURSE_SEARCH, grid: { epochs: [0, 10] } }],
  ['momentum with one of the optimizers tried', { ...COURSE_SEARCH, grid: { optimizer: ['SGD', 'Adam'], momentum: [0.9] } }],
  ['an optimizer torch lacks', { ...COURSE_SEARCH, grid: { optimizer: ['SGD', 'LBFGS'] } }],
  ['an empty grid', { ...COURSE_SEARCH, grid: {} }],
  ['an activation on a model without one', { ...COURSE_SEARCH, grid: { activation: ['ReLU'] } }],
]

describe('the Search panel checks a request as the service does', () => {
  it.each(REFUSED)('refuses %s with the service’s sentence', async (_, config) => {
    const service_ = await service.startSearch(config).then(
      () => 'no refusal',
      (err: Error) => err.message,
    )
    expect(service_).not.toBe('no refusal')
    expect(refusal(() => checkSearchConfig(config))).toBe(service_)
  })

  it('refuses a grid value before reading the data: a word as lr on a file that is not there names the word, not the file', async () => {
    const config = { ...COURSE_SEARCH, dataset: { ...COURSE_SEARCH.dataset, source: { kind: 'file' as const, path: '/nowhere/big.csv' } }, grid: { lr: ['abc'] } }
    await expect(service.startSearch(config)).rejects.toThrow('The search value "abc" for lr is not a number.')
  })

  it('passes momentum searched with the optimizers that have it, which the service starts', async () => {
    const config = { ...COURSE_SEARCH, grid: { optimizer: ['SGD', 'RMSprop'], momentum: [0, 0.9] }, train: { ...COURSE_SEARCH.train, epochs: 2 } }
    expect(refusal(() => checkSearchConfig(config))).toBe('no refusal')
    const { searchId, fitsTotal } = await service.startSearch(config)
    expect(fitsTotal).toBe(12)
    await service.cancelSearch(searchId)
  })
})
