/**
 * What one lab takes on at once (src/main/lab/limits.ts): however many runs, searches or steps
 * a client asks for, and however large a model, the machine keeps its memory and its cores, and
 * every refusal is a sentence naming what was asked and the limit.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { LabErrorInfo } from '../../src/shared/errors'
import { MAX_GRID_SETTINGS } from '../../src/shared/schemas'
import { MAX_ACTIVE_RUNS, MAX_ACTIVE_SEARCHES, MAX_PARAMETERS, MAX_TRACE_NUMBERS } from '../../src/main/lab/limits'
import { createService } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())

const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }
const longRun = { dataset: cars, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.001 }, epochs: 1_000_000, batchSize: 2 } }
const wide = (width: number, count: number) => ({ kind: 'sequential' as const, layers: [...Array.from({ length: count }, () => ({ kind: 'Linear' as const, outFeatures: width })), { kind: 'Linear' as const }] })
const info = (err: unknown): LabErrorInfo => (err as { info: LabErrorInfo }).info

describe('runs at once', () => {
  it(`trains ${MAX_ACTIVE_RUNS} at once, refuses the next by name, and takes one again once a run stops`, async () => {
    const asked = await Promise.allSettled(Array.from({ length: MAX_ACTIVE_RUNS + 3 }, () => service.startTraining(longRun)))
    const started = asked.flatMap((a) => (a.status === 'fulfilled' ? [a.value.runId] : []))
    expect(started).toHaveLength(MAX_ACTIVE_RUNS)
    for (const refused of asked.filter((a) => a.status === 'rejected')) {
      expect(info(refused.reason)).toMatchObject({ code: 'RUN_BUSY', message: `${MAX_ACTIVE_RUNS} runs are training already (${started.join(', ')}); TorchLab trains up to ${MAX_ACTIVE_RUNS} at once. Stop one, or wait for one to finish.` })
    }
    await service.controlRun({ runId: started[0], action: 'stop' })
    await service.waitForRun(started[0])
    const next = await service.startTraining(longRun)
    for (const runId of [...started.slice(1), next.runId]) await service.controlRun({ runId, action: 'stop' })
  }, 120_000)
})

describe('a model too large for the machine', () => {
  it('is refused before any weight is made, naming its size and the limit', async () => {
    // four 4096-wide layers: 50.4 million parameters, some 1.2 GB while training
    const before = process.memoryUsage().arrayBuffers
    const err = await service.startTraining({ ...longRun, model: wide(4096, 4) }).catch((e: unknown) => e)
    expect(info(err)).toEqual({
      code: 'TOO_LARGE',
      message: `This model has 50,356,225 parameters; TorchLab trains models of up to ${MAX_PARAMETERS.toLocaleString('en-US')}, which is all a laptop's memory holds while it trains. Use fewer or narrower layers.`,
    })
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024)
  })

  it('in a search, by the hidden sizes its grid tries', async () => {
    const search = { dataset: cars, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.01 }, epochs: 5 }, grid: { hidden: [[8], [4096, 4096, 4096, 4096]] } }
    await expect(service.startSearch(search)).rejects.toMatchObject({ info: { code: 'TOO_LARGE', message: expect.stringMatching(/^This model has 50,3\d\d,\d{3} parameters/) } })
  })
})

describe('a search', () => {
  const search = (grid: Record<string, unknown[]>) => ({ dataset: cars, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.01 }, epochs: 100_000 }, grid })

  it(`of more than ${MAX_GRID_SETTINGS} settings is refused with its size, before any is listed`, async () => {
    const lr = Array.from({ length: 50 }, (_, i) => 0.001 * (i + 1))
    const epochs = Array.from({ length: 50 }, (_, i) => i + 1)
    await expect(service.startSearch(search({ lr, epochs }))).rejects.toThrow(
      `Invalid search. This grid has 2,500 settings (50 values of lr × 50 values of epochs); TorchLab searches up to 1,000 settings at once. Give fewer values, or draw some of them with random settings.`,
    )
    // eight hyperparameters of 50 values: 4·10^13 settings, refused as fast
    const huge = { lr, epochs, batch_size: epochs, momentum: lr, optimizer: Array(50).fill('SGD'), activation: Array(50).fill('ReLU'), loss: Array(50).fill('MSELoss'), hidden: epochs.map((u) => [u]) }
    const started = performance.now()
    await expect(service.startSearch(search(huge))).rejects.toThrow(/This grid has 39,062,500,000,000 settings/)
    expect(performance.now() - started).toBeLessThan(5_000)
    // a random search draws its settings: the grid's size is no limit there
    const drawn = await service.startSearch({ ...search({ lr, epochs }), random: { nIter: 2 }, train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 2 } })
    await service.waitForSearch(drawn.searchId)
  }, 60_000)

  it(`runs ${MAX_ACTIVE_SEARCHES} at once and refuses the next by name`, async () => {
    const one = () => service.startSearch(search({ lr: [0.01, 0.02] }))
    const asked = await Promise.allSettled([one(), one(), one()])
    const started = asked.flatMap((a) => (a.status === 'fulfilled' ? [a.value.searchId] : []))
    expect(started).toHaveLength(MAX_ACTIVE_SEARCHES)
    const refused = asked.find((a) => a.status === 'rejected')!
    expect(info((refused as PromiseRejectedResult).reason).message).toBe(`2 searches are running already (${started.join(', ')}); TorchLab runs up to 2 at once. Cancel one, or wait for one to finish.`)
    for (const id of started) await service.cancelSearch(id)
    const again = await service.startSearch({ ...search({ lr: [0.01] }), train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 2 } })
    await service.waitForSearch(again.searchId)
  }, 120_000)
})

describe('a step-by-step trace', () => {
  const steps = (model: ReturnType<typeof wide>, count: number) =>
    service.stepRun({ kind: 'module', request: { dataset: cars, model, train: { optimizer: { name: 'SGD', lr: 0.001 }, epochs: 1000, batchSize: 1 } }, steps: count })

  it('records as many steps as fit, and says why it stopped there', async () => {
    // 1 → 512 → 1: 1,537 parameters and their gradients, and the batch's output, row and target: each step some 3,100 numbers
    const trace = await steps(wide(512, 1), 10_000)
    const perStep = 2 * 1537 + 3
    expect(trace.steps).toHaveLength(Math.floor(MAX_TRACE_NUMBERS / perStep))
    expect(trace.stopped).toBe(`TorchLab recorded the first ${trace.steps.length} of the 10,000 steps asked for: each step of this model records ${perStep.toLocaleString('en-US')} numbers, and a trace holds up to 2,000,000.`)
  }, 60_000)

  it('of a model one step of which is more than a trace holds is refused, naming its size', async () => {
    await expect(steps(wide(1024, 2), 3)).rejects.toMatchObject({
      info: { code: 'TOO_LARGE', message: 'Stepping records every weight and its gradient at each step; this model has 1,052,673 parameters, more than the 1,000,000 a step can show. Step a smaller model, or train this one.' },
    })
  })
})
