/**
 * TorchLab trains as PyTorch trains: the same data, initial weights and batch order give
 * torch's weights, with real torch run in the test.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { initialStateDict } from '../../src/main/lab/model/init'
import { stateDictToJson } from '../../src/main/lab/model/stateDict'
import type { HiddenLayer, OptimizerSpec, TrainRequestInput } from '../../src/shared/schemas'
import { expectStateDictClose } from '../helpers/compare'
import { createService, DATASETS } from '../helpers/lab'
import { torchTrain } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())

const ENGINES = ['dense', 'tfjs'] as const

/** trains the request in torch and in each engine; returns torch's result and each engine's */
async function trainBoth(request: TrainRequestInput & { init: NonNullable<TrainRequestInput['init']> }, csv: string, outputs = 1) {
  const runs = await Promise.all(ENGINES.map((engine) => service.startTraining({ ...request, engine })))
  const [torch, ...engines] = await Promise.all([
    torchTrain({
      csv,
      features: request.dataset.features,
      target: request.dataset.target,
      scale: request.dataset.scale ?? 'none',
      model: request.model,
      outputs,
      loss: request.train.loss ?? 'MSELoss',
      optimizer: request.train.optimizer,
      epochs: request.train.epochs,
      batch_size: request.train.batchSize,
      init: request.init,
    }),
    ...runs.map(({ runId }) => service.waitForRun(runId)),
  ])
  for (const ours of engines) expect(ours.status, ours.error?.message).toBe('completed')
  expect(engines.map((e) => e.engine)).toEqual(ENGINES)
  return { engines, torch }
}

describe('course parity', () => {
  it('cars, batch 2, SGD 0.02, 1000 epochs, no shuffle → w −5.7225, b 36.6935, as torch', async () => {
    const init = stateDictToJson(initialStateDict({ kind: 'linear', inFeatures: 1, outFeatures: 1 }, 0))
    const { engines, torch } = await trainBoth(
      {
        dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
        model: { kind: 'linear' },
        train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize: 2 },
        init,
      },
      join(DATASETS, 'cars.csv'),
    )
    for (const ours of engines) {
    const w = (ours.stateDict['linear.weight'] as number[][])[0][0]
    const b = (ours.stateDict['linear.bias'] as number[])[0]
    expect(Math.abs(w - -5.7225)).toBeLessThan(1e-3)
    expect(Math.abs(b - 36.6935)).toBeLessThan(1e-3)
    expectStateDictClose(ours.stateDict, torch.state_dict, 1e-3, 0)
    expect(ours.lossHistory).toHaveLength(1000)
    ours.lossHistory.forEach((l, i) => expect(Math.abs(l - torch.losses[i])).toBeLessThan(1e-3 * Math.max(1, torch.losses[i])))
    }
  })
})

describe('optimizer parity on an MLP (diabetes, standardised, 5 epochs, batch 32)', () => {
  const features = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']
  const cases: { optimizer: OptimizerSpec | Record<string, unknown>; hidden: HiddenLayer[] }[] = [
    { optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }, hidden: [{ units: 16, activation: 'ReLU' }, { units: 8, activation: 'Tanh' }] },
    { optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9, nesterov: true }, hidden: [{ units: 12, activation: 'LeakyReLU' }] },
    { optimizer: { name: 'Adam', lr: 0.01 }, hidden: [{ units: 16, activation: 'GELU' }, { units: 8, activation: 'ELU' }] },
    { optimizer: { name: 'AdamW', lr: 0.01, weightDecay: 0.05 }, hidden: [{ units: 16, activation: 'Sigmoid' }] },
    { optimizer: { name: 'RMSprop', lr: 0.001 }, hidden: [{ units: 16, activation: 'ReLU' }] },
    { optimizer: { name: 'RMSprop', lr: 0.001, momentum: 0.5, centered: true, weightDecay: 0.01 }, hidden: [{ units: 8, activation: 'Tanh' }] },
  ]
  for (const { optimizer, hidden } of cases) {
    it(`${JSON.stringify(optimizer)} with ${hidden.map((h) => `${h.units} ${h.activation}`).join(', ')} gives torch's weights`, async () => {
      const spec = { kind: 'mlp' as const, inFeatures: 10, outFeatures: 1, hidden }
      const init = stateDictToJson(initialStateDict(spec, 42))
      const { engines, torch } = await trainBoth(
        {
          dataset: { source: { kind: 'bundled', name: 'diabetes' }, features, target: 'target', scale: 'standard' },
          model: { kind: 'mlp', hidden },
          train: { loss: 'MSELoss', optimizer: optimizer as OptimizerSpec, epochs: 5, batchSize: 32 },
          init,
        },
        join(DATASETS, 'diabetes.csv'),
      )
      for (const ours of engines) expectStateDictClose(ours.stateDict, torch.state_dict)
    })
  }
})

describe('losses in training', () => {
  it('HuberLoss and L1Loss on cars follow torch for 20 epochs', async () => {
    for (const loss of ['HuberLoss', 'L1Loss'] as const) {
      const init = stateDictToJson(initialStateDict({ kind: 'linear', inFeatures: 2, outFeatures: 1 }, 3))
      const { engines, torch } = await trainBoth(
        {
          dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt', 'hp'], target: 'mpg', scale: 'standard' },
          model: { kind: 'linear' },
          train: { loss, optimizer: { name: 'SGD', lr: 0.05 }, epochs: 20, batchSize: 4 },
          init,
        },
        join(DATASETS, 'cars.csv'),
      )
      for (const ours of engines) expectStateDictClose(ours.stateDict, torch.state_dict)
    }
  })

  it('CrossEntropyLoss on iris with Adam follows torch', async () => {
    const hidden: HiddenLayer[] = [{ units: 8, activation: 'ReLU' }]
    const init = stateDictToJson(initialStateDict({ kind: 'mlp', inFeatures: 4, outFeatures: 3, hidden }, 5))
    const { engines, torch } = await trainBoth(
      {
        dataset: {
          source: { kind: 'bundled', name: 'iris' },
          features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
          target: 'species',
          scale: 'standard',
        },
        model: { kind: 'mlp', hidden },
        train: { loss: 'CrossEntropyLoss', optimizer: { name: 'Adam', lr: 0.01 }, epochs: 5, batchSize: 16 },
        init,
      },
      join(DATASETS, 'iris.csv'),
      3,
    )
    for (const ours of engines) expectStateDictClose(ours.stateDict, torch.state_dict)
  })
})
