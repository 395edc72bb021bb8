/**
 * TorchLab trains as PyTorch trains: the same data, initial weights and batch order give
 * torch's weights, with real torch run in the test.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { initialStateDict } from '../../src/main/lab/model/init'
import { stateDictToJson } from '../../src/main/lab/model/stateDict'
import { mlpLayers } from '../../src/shared/modelSpec'
import type { Activation, OptimizerSpec } from '../../src/shared/schemas'
import { expectStateDictClose } from '../helpers/compare'
import { createService, DATASETS } from '../helpers/lab'
import { specOf, trainBoth } from './harness'

const service = createService()
afterAll(() => service.dispose())

describe('course parity', () => {
  it('cars, batch 2, SGD 0.02, 1000 epochs, no shuffle → w −5.7225, b 36.6935, as torch', async () => {
    const init = stateDictToJson(initialStateDict({ kind: 'linear', inFeatures: 1, outFeatures: 1 }, 0))
    const { engines, torch } = await trainBoth(
      service,
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
  const cases: { optimizer: OptimizerSpec | Record<string, unknown>; hidden: [number, Activation][] }[] = [
    { optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }, hidden: [[16, 'ReLU'], [8, 'Tanh']] },
    { optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9, nesterov: true }, hidden: [[12, 'LeakyReLU']] },
    { optimizer: { name: 'Adam', lr: 0.01 }, hidden: [[16, 'GELU'], [8, 'ELU']] },
    { optimizer: { name: 'AdamW', lr: 0.01, weightDecay: 0.05 }, hidden: [[16, 'Sigmoid']] },
    { optimizer: { name: 'RMSprop', lr: 0.001 }, hidden: [[16, 'ReLU']] },
    { optimizer: { name: 'RMSprop', lr: 0.001, momentum: 0.5, centered: true, weightDecay: 0.01 }, hidden: [[8, 'Tanh']] },
  ]
  for (const { optimizer, hidden } of cases) {
    it(`${JSON.stringify(optimizer)} with ${hidden.map(([u, a]) => `${u} ${a}`).join(', ')} gives torch's weights`, async () => {
      const layers = hidden.flatMap(([units, activation]) => mlpLayers([units], activation).slice(0, 2)).concat(mlpLayers([], 'ReLU'))
      const request = {
        dataset: { source: { kind: 'bundled' as const, name: 'diabetes' as const }, features, target: 'target', scale: 'standard' as const },
        model: { kind: 'sequential' as const, layers },
        train: { loss: 'MSELoss' as const, optimizer: optimizer as OptimizerSpec, epochs: 5, batchSize: 32 },
      }
      const init = stateDictToJson(initialStateDict(specOf(request), 42))
      const { engines, torch } = await trainBoth(service, { ...request, init }, join(DATASETS, 'diabetes.csv'))
      for (const ours of engines) expectStateDictClose(ours.stateDict, torch.state_dict)
    })
  }
})

describe('losses in training', () => {
  it('HuberLoss and L1Loss on cars follow torch for 20 epochs', async () => {
    for (const loss of ['HuberLoss', 'L1Loss'] as const) {
      const init = stateDictToJson(initialStateDict({ kind: 'linear', inFeatures: 2, outFeatures: 1 }, 3))
      const { engines, torch } = await trainBoth(
        service,
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
    const request = {
      dataset: {
        source: { kind: 'bundled' as const, name: 'iris' as const },
        features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
        target: 'species',
        scale: 'standard' as const,
      },
      model: { kind: 'sequential' as const, layers: mlpLayers([8], 'ReLU') },
      train: { loss: 'CrossEntropyLoss' as const, optimizer: { name: 'Adam' as const, lr: 0.01 }, epochs: 5, batchSize: 16 },
    }
    const init = stateDictToJson(initialStateDict(specOf(request, 3), 5))
    const { engines, torch } = await trainBoth(service, { ...request, init }, join(DATASETS, 'iris.csv'), { outputs: 3 })
    for (const ours of engines) expectStateDictClose(ours.stateDict, torch.state_dict)
  })
})
