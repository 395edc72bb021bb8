/**
 * Non-smooth points and runs that could not learn, against real torch: L1's gradient at a zero
 * residual is torch's sign(0) = 0 on both engines (SmoothL1Loss's at beta 0 is −1/n), a zero-initialised MLP trained with L1 at
 * lr 0.05 keeps torch's exact weights on the dense engine, and a run with no step is refused.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { initialStateDict } from '../../src/main/lab/model/init'
import { stateDictToJson } from '../../src/main/lab/model/stateDict'
import { mlpLayers } from '../../src/shared/modelSpec'
import { expectStateDictClose } from '../helpers/compare'
import { createService, DATASETS, tempDir } from '../helpers/lab'
import { specOf, trainBoth } from './harness'

const service = createService()
afterAll(() => service.dispose())

const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }

function zeros(request: Parameters<typeof specOf>[0]) {
  const json = stateDictToJson(initialStateDict(specOf(request), 0)) as Record<string, unknown>
  const zero = (v: unknown): unknown => (Array.isArray(v) ? v.map(zero) : 0)
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, zero(v)]))
}

describe('kinks against torch', () => {
  it('L1Loss at lr 0.05 from zero weights: the dense engine ends on torch’s weights exactly, tfjs within 1e-5', async () => {
    const request = {
      dataset: cars,
      model: { kind: 'sequential' as const, layers: mlpLayers([4], 'ReLU') },
      train: { loss: 'L1Loss' as const, optimizer: { name: 'SGD' as const, lr: 0.05 }, epochs: 60, batchSize: 32 },
    }
    const { engines, torch } = await trainBoth(service, { ...request, init: zeros(request) }, join(DATASETS, 'cars.csv'))
    const [dense, tfjs] = engines
    expect(dense.stateDict).toEqual(torch.state_dict)
    expectStateDictClose(tfjs.stateDict, torch.state_dict, 1e-5, 0)
  })

  it('L1Loss with every residual 0 leaves the weights where they are on both engines, as torch does', async () => {
    const csv = join(tempDir(), 'zero.csv')
    writeFileSync(csv, 'x,y\n' + [-2, -1, 0.5, 1, 3].map((x) => `${x},0`).join('\n') + '\n')
    const request = {
      dataset: { source: { kind: 'file' as const, path: csv }, features: ['x'], target: 'y' },
      model: { kind: 'linear' as const },
      train: { loss: 'L1Loss' as const, optimizer: { name: 'SGD' as const, lr: 0.1 }, epochs: 3, batchSize: 5 },
    }
    const init = zeros(request)
    const { engines, torch } = await trainBoth(service, { ...request, init }, csv)
    for (const ours of engines) expect(ours.stateDict).toEqual(torch.state_dict)
  })

  it('SmoothL1Loss(beta=0) with every residual 0 moves the weights on both engines, as torch does (−1/n where L1Loss gives 0)', async () => {
    // found by the random sweep (fuzz.test.ts): TorchLab took beta 0 for L1Loss, gradient and all
    const csv = join(tempDir(), 'zero.csv')
    writeFileSync(csv, 'x,y\n' + [-2, -1, 0.5, 1, 3].map((x) => `${x},0`).join('\n') + '\n')
    const request = {
      dataset: { source: { kind: 'file' as const, path: csv }, features: ['x'], target: 'y' },
      model: { kind: 'linear' as const },
      train: { loss: 'SmoothL1Loss' as const, smoothL1Beta: 0, optimizer: { name: 'SGD' as const, lr: 0.1 }, epochs: 1, batchSize: 5 },
    }
    const { engines, torch } = await trainBoth(service, { ...request, init: zeros(request) }, csv)
    expect(torch.state_dict['linear.bias']).toEqual([Math.fround(0.1)])
    for (const ours of engines) expect(ours.stateDict).toEqual(torch.state_dict)
  })

  it('--drop-last with a batch larger than the data is refused with a sentence, and nothing is trained', async () => {
    const { runId } = await service.startTraining({
      dataset: cars,
      model: { kind: 'linear' },
      train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 5, batchSize: 40, dropLast: true },
      engine: 'dense',
    })
    const result = await service.waitForRun(runId)
    expect(result.status).toBe('failed')
    expect(result.error?.message).toContain('a batch size of 40 and 32 training rows, every batch is dropped and the run would make no step')
  })
})
