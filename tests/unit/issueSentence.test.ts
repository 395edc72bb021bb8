/**
 * A request the schemas refuse comes back as sentences naming the setting as a student knows it
 * (src/shared/issueSentence.ts), not as zod's "0.train.epochs: Too big: expected number to be
 * <=1000000": through the service, as the window's and the CLI's requests reach it.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { TrainRequestInput } from '../../src/shared/schemas'
import { createService } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())

const course: TrainRequestInput = {
  dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' },
  train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 5, batchSize: 2 },
}
const train = (change: Record<string, unknown>) => ({ ...course, train: { ...course.train, ...change } })
const layers = (...list: Record<string, unknown>[]) => ({ ...course, model: { kind: 'sequential', layers: list } })

describe('a refused training request', () => {
  it.each([
    ['past a maximum', train({ epochs: 1e12 }), 'Epochs can be at most 1,000,000.'],
    ['a fraction where a whole number goes', train({ batchSize: 1.5 }), 'Batch size must be a whole number.'],
    ['NaN', train({ epochs: Number.NaN }), 'Epochs must be a finite number, not NaN.'],
    ['text for a number', train({ optimizer: { name: 'SGD', lr: 'fast' } }), 'Learning rate must be a number.'],
    ['an unknown optimizer', train({ optimizer: { name: 'Adamx', lr: 0.1 } }), 'Optimizer must be one of "SGD", "Adam", "AdamW", "RMSprop", "Adagrad".'],
    ['below a minimum', train({ optimizer: { name: 'SGD', lr: 0.1, momentum: -1 } }), 'Momentum must be at least 0.'],
    ['an unknown layer', layers({ kind: 'Conv2d' }), 'layers[0] must be one of "Linear", "BatchNorm1d", "Dropout", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "GELU", "Softplus".'],
    ['a layer argument out of range', layers({ kind: 'Linear', outFeatures: 3 }, { kind: 'Dropout', p: 2 }, { kind: 'Linear', outFeatures: 1 }), 'layers[1]: p must be at most 1.'],
    ['a schema’s own sentence, inside a list', layers({ kind: 'Linear', outFeatures: 0 }), 'layers[0]: out_features must be at least 1.'],
  ])('%s is named in a sentence', async (_, request, sentence) => {
    await expect(service.startTraining(request as TrainRequestInput)).rejects.toThrow(`Invalid training request. ${sentence}`)
  })
})

describe('a refused search', () => {
  it('names the grid value a setting cannot take', async () => {
    const search = { ...course, grid: { lr: [0.02, -1] } }
    await expect(service.startSearch(search)).rejects.toThrow('Invalid search setting. Learning rate must be above 0.')
  })
})
