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
    // past 2^53 a whole number's own bound fails too: only the tighter one is said
    ['past the largest exact whole number', train({ epochs: 2 ** 53 + 2 }), 'Epochs can be at most 1,000,000.'],
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
    await expect(service.startSearch(search)).rejects.toThrow('Invalid search setting. Learning rate must be at least 0.')
  })
})

/** a request as it arrives over the bridge or IPC: any JSON at all, typed or not */
const raw = (value: unknown) => value as TrainRequestInput

describe('a key no schema takes', () => {
  it.each([
    ['a setting spelt as its label', train({ learningRate: 0.05 }), 'The training settings have no setting called "learningRate"; did you mean "optimizer.lr" (Learning rate)?'],
    ['a slip of a letter', train({ epoch: 20 }), 'The training settings have no setting called "epoch"; did you mean "epochs"?'],
    // two neighbours swapped are one slip, as the CLI counts them: a four-letter key allows one
    ['two letters swapped', train({ sede: 3 }), 'The training settings have no setting called "sede"; did you mean "seed"?'],
    ['Python’s spelling', train({ batch_size: 8 }), 'The training settings have no setting called "batch_size"; did you mean "batchSize"?'],
    ['a request’s own key', { ...course, initfrom: 'model.pth' }, 'The request has no setting called "initfrom"; did you mean "initFrom" (The .pth file to start from)?'],
    ['a layer’s argument by torch’s keyword', layers({ kind: 'Linear', out_features: 3 }, { kind: 'Linear' }), 'layers[0] (Linear) has no setting called "out_features"; did you mean "outFeatures"?'],
    ['a CSV option', { ...course, dataset: { ...course.dataset, parse: { delimeter: ';' } } }, 'The CSV options have no setting called "delimeter"; did you mean "delimiter"?'],
    ['keys nothing resembles, listed with what the place takes', { ...course, colour: 'red', size: 3 }, 'The request has no setting called "colour" or "size"; it takes dataset, model, train, init, initFrom, initKey, engine, backend, pace.'],
    // a JSON text's "__proto__" is an own key like any other: named, never merged into the request's prototype
    ['__proto__', raw(JSON.parse(`{"__proto__": {"epochs": 1}, ${JSON.stringify(course).slice(1)}`)), 'The request has no setting called "__proto__"'],
    ['constructor', train({ constructor: { name: 'x' } }), 'The training settings have no setting called "constructor"'],
  ])('%s is refused, named', async (_, request, sentence) => {
    await expect(service.startTraining(raw(request))).rejects.toThrow(`Invalid training request. ${sentence}`)
  })

  it('in a search, a grid’s hyperparameter and the random search’s count are named with what was meant', async () => {
    await expect(service.startSearch({ ...course, grid: { learning_rate: [0.1] } } as never)).rejects.toThrow('The search grid has no setting called "learning_rate"; did you mean "lr" (Learning rate)?')
    await expect(service.startSearch({ ...course, grid: { lr: [0.1] }, nIter: 3 } as never)).rejects.toThrow('The request has no setting called "nIter"; did you mean "random.nIter" (Number of random settings)?')
  })

  it('in the settings a window saves, and in a second argument', async () => {
    await expect(service.updateSettings({ thema: 'dark' } as never)).rejects.toThrow('Invalid settings. The request has no setting called "thema"; did you mean "theme"?')
    await expect(service.openCheckpoint('/tmp/x.pth', { value: true } as never)).rejects.toThrow('The request\'s argument 2 has no setting called "value"; did you mean "values"?')
  })

  it('a long key is cut, not echoed whole', async () => {
    const error = await service.startTraining(raw({ ...course, ['k'.repeat(10_000)]: 1 })).catch((e: Error) => e)
    expect((error as Error).message.length).toBeLessThan(400)
  })
})

describe('a request with the wrong number of arguments', () => {
  it.each([
    ['getBackend', [1], 'Invalid backend request. This operation takes no arguments; 1 was given.'],
    ['listDatasets', [1, 2], 'This operation takes no arguments; 2 were given.'],
    ['getSettings', ['x'], 'This operation takes no arguments; 1 was given.'],
    ['listLessons', [{}], 'This operation takes no arguments; 1 was given.'],
    ['getRun', [], 'Invalid run id. This operation takes at least 1 argument; none were given.'],
    ['getRun', ['run-1', 'run-2'], 'This operation takes at most 1 argument; 2 were given.'],
  ] as const)('%s(%j) is refused, counting them', async (method, args, sentence) => {
    const call = service[method] as (...a: unknown[]) => Promise<unknown>
    await expect(call.apply(service, [...args])).rejects.toThrow(sentence)
  })
})

describe('a request of many unknown keys', () => {
  it('names the first few and counts the rest, at once', async () => {
    const keys = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`junk${i}`, i]))
    const started = performance.now()
    const error = await service.startTraining(raw({ ...course, ...keys })).catch((e: Error) => e)
    expect((error as Error).message).toBe(
      'Invalid training request. The request has no setting called "junk0", "junk1", "junk2", "junk3" or "junk4"; it takes dataset, model, train, init, initFrom, initKey, engine, backend, pace. 199,995 more keys are not settings either.',
    )
    expect(performance.now() - started).toBeLessThan(5_000)
  })
})
