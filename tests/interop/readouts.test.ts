/**
 * The numbers a student reads after a run: each epoch's loss (the mean of the batches'
 * loss.item(), as the course's loop and `lab train --json` report it) equal torch's float32 run to
 * the last bit, where TorchLab and torch take the same steps.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createService, DATASETS } from '../helpers/lab'
import { trainBoth } from './harness'

const service = createService()
afterAll(() => service.dispose())
const CARS = join(DATASETS, 'cars.csv')
const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }

describe('epoch losses', () => {
  for (const { what, loss, batchSize, lr } of [
    { what: "the course's run (MSELoss, batch 2)", loss: 'MSELoss' as const, batchSize: 2, lr: 0.02 },
    { what: 'L1Loss, batches of 5 and a last one of 2', loss: 'L1Loss' as const, batchSize: 5, lr: 0.05 },
    { what: 'HuberLoss, batches of 7 and a last one of 4', loss: 'HuberLoss' as const, batchSize: 7, lr: 0.01 },
  ]) {
    it(`${what}: every epoch's loss and the final weights equal torch's float32 run bit for bit`, async () => {
      const { engines, torch } = await trainBoth(
        service,
        { dataset: cars, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr }, loss, epochs: 60, batchSize }, init: { 'linear.weight': [[-1.5]], 'linear.bias': [30.25] } },
        CARS,
        { engines: ['dense'] },
      )
      const ours = engines[0]
      expect(ours.lossHistory).toHaveLength(60)
      expect(ours.lossHistory).toEqual(torch.losses)
      expect(ours.finalLoss).toBe(torch.losses.at(-1))
      expect(ours.stateDict).toEqual(torch.state_dict)
    })
  }
})
