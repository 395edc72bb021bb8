/**
 * Every catalogue entry trains as torch trains it, on every engine that claims it: each
 * activation (with non-default arguments where it has any), each optimizer, each loss. A new
 * entry joins these tests by being in the catalogue; an engine that forgets it fails here (and,
 * for the switches, at compile time).
 */
import { join } from 'node:path'
import { afterAll, describe, it } from 'vitest'
import { ACTIVATIONS, type ActivationName } from '../../src/shared/catalog/activations'
import { LOSSES, LOSS_TABLE, type LossName } from '../../src/shared/catalog/losses'
import { OPTIMIZERS, type OptimizerName } from '../../src/shared/catalog/optimizers'
import { initialStateDict } from '../../src/main/lab/model/init'
import { stateDictToJson } from '../../src/main/lab/model/stateDict'
import { isTfjsLayer } from '../../src/main/lab/engine/tfjs/support'
import { layerSpecSchema, type LayerSpecInput } from '../../src/shared/layers'
import type { OptimizerSpec, TrainRequestInput } from '../../src/shared/schemas'
import { expectStateDictClose } from '../helpers/compare'
import { createService, DATASETS } from '../helpers/lab'
import { ENGINES, specOf, trainBoth } from './harness'

const service = createService()
afterAll(() => service.dispose())

/** arguments away from torch's defaults, so a misread argument shows */
const ACTIVATION_ARGS: Partial<Record<ActivationName, Record<string, number>>> = {
  LeakyReLU: { negativeSlope: 0.2 },
  ELU: { alpha: 0.5 },
  Softplus: { beta: 2, threshold: 3 },
}
const OPTIMIZER_ARGS: Record<OptimizerName, Record<string, unknown>> = {
  SGD: { lr: 0.0005, momentum: 0.5, weightDecay: 0.01 },
  Adam: { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.01 },
  AdamW: { lr: 0.01, weightDecay: 0.1 },
  RMSprop: { lr: 0.001, alpha: 0.9, centered: true },
  Adagrad: { lr: 0.1, lrDecay: 0.01, weightDecay: 0.001, initialAccumulatorValue: 0.1, eps: 1e-8 },
}

/** the engines that declare every layer of this list */
const claimants = (layers: LayerSpecInput[]) => ENGINES.filter((e) => e === 'dense' || layers.every((l) => isTfjsLayer(layerSpecSchema.parse(l))))

const diabetes = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']

async function expectParity(request: Omit<TrainRequestInput, 'init'> & { model: { kind: 'sequential'; layers: LayerSpecInput[] } }, csv: string, outputs = 1): Promise<void> {
  const init = stateDictToJson(initialStateDict(specOf(request, outputs), 11))
  const { engines, torch } = await trainBoth(service, { ...request, init }, join(DATASETS, csv), { outputs, engines: claimants(request.model.layers) })
  for (const ours of engines) expectStateDictClose(ours.stateDict, torch.state_dict)
}

describe('activations × optimizers (diabetes, standardised, 3 epochs)', () => {
  ACTIVATIONS.forEach((activation, i) => {
    const optimizer = OPTIMIZERS[i % OPTIMIZERS.length]
    it(`${activation} with ${optimizer}`, async () => {
      const layers: LayerSpecInput[] = [{ kind: 'Linear', outFeatures: 8 }, { kind: activation, ...ACTIVATION_ARGS[activation] } as LayerSpecInput, { kind: 'Linear' }]
      await expectParity(
        {
          dataset: { source: { kind: 'bundled', name: 'diabetes' }, features: diabetes, target: 'target', scale: 'standard' },
          model: { kind: 'sequential', layers },
          train: { optimizer: { name: optimizer, ...OPTIMIZER_ARGS[optimizer] } as OptimizerSpec, epochs: 3, batchSize: 32 },
        },
        'diabetes.csv',
      )
    })
  })
  // Adagrad and Softplus meet above only if the table lines them up; this pairs them for certain
  it('Softplus with Adagrad', async () => {
    await expectParity(
      {
        dataset: { source: { kind: 'bundled', name: 'diabetes' }, features: diabetes, target: 'target', scale: 'standard' },
        model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 6 }, { kind: 'Softplus', beta: 0.5 }, { kind: 'Linear' }] },
        train: { optimizer: { name: 'Adagrad', ...OPTIMIZER_ARGS.Adagrad } as OptimizerSpec, epochs: 3, batchSize: 32 },
      },
      'diabetes.csv',
    )
  })
})

describe('losses in training', () => {
  const cases: Record<LossName, { csv: string; features: string[]; target: string; outputs: number; last: LayerSpecInput[]; extra?: Record<string, number> }> = {
    MSELoss: { csv: 'cars.csv', features: ['wt', 'hp'], target: 'mpg', outputs: 1, last: [] },
    L1Loss: { csv: 'cars.csv', features: ['wt', 'hp'], target: 'mpg', outputs: 1, last: [] },
    HuberLoss: { csv: 'cars.csv', features: ['wt', 'hp'], target: 'mpg', outputs: 1, last: [], extra: { huberDelta: 2 } },
    SmoothL1Loss: { csv: 'cars.csv', features: ['wt', 'hp'], target: 'mpg', outputs: 1, last: [], extra: { smoothL1Beta: 0.5 } },
    BCEWithLogitsLoss: { csv: 'cars.csv', features: ['wt', 'hp'], target: 'am', outputs: 1, last: [] },
    // probabilities from a Sigmoid, as BCELoss requires
    BCELoss: { csv: 'cars.csv', features: ['wt', 'hp'], target: 'am', outputs: 1, last: [{ kind: 'Sigmoid' }] },
    CrossEntropyLoss: { csv: 'iris.csv', features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], target: 'species', outputs: 3, last: [] },
  }
  for (const loss of LOSSES) {
    const c = cases[loss]
    it(`${loss} (${LOSS_TABLE[loss].task})`, async () => {
      await expectParity(
        {
          dataset: { source: { kind: 'file', path: join(DATASETS, c.csv) }, features: c.features, target: c.target, scale: 'standard' },
          model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 6 }, { kind: 'Tanh' }, { kind: 'Linear' }, ...c.last] },
          train: { loss, ...c.extra, optimizer: { name: 'SGD', lr: 0.05 }, epochs: 10, batchSize: 8 },
        },
        c.csv,
        c.outputs,
      )
    })
  }
})
