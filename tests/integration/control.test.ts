/** Pause, resume, single step and stop on a real training worker. */
import { afterAll, describe, expect, it } from 'vitest'
import type { LabEvent, RunSnapshot } from '../../src/shared/api'
import { SERIES_CAPACITY } from '../../src/shared/series'
import { createService } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())

const longRun = {
  dataset: { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' as const },
  train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs: 100_000, batchSize: 2 },
}

function until(runId: string, predicate: (e: LabEvent) => boolean): Promise<LabEvent> {
  return new Promise((resolve) => {
    const off = service.onEvent((e) => {
      if ('runId' in e && e.runId === runId && predicate(e)) {
        off()
        resolve(e)
      }
    })
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('run control', () => {
  it('pauses, steps one batch at a time, resumes and stops, keeping a consistent history', async () => {
    const { runId } = await service.startTraining(longRun)
    await until(runId, (e) => e.type === 'progress' && e.step > 100)

    const paused = until(runId, (e) => e.type === 'progress' && e.status === 'paused')
    expect((await service.controlRun({ runId, action: 'pause' })).status).toBe('paused')
    const atPause = (await paused) as Extract<LabEvent, { type: 'progress' }>
    await sleep(300)
    const still = await service.getRun(runId)
    expect(still.status).toBe('paused')
    expect(still.steps).toBe(atPause.step)

    for (let i = 1; i <= 3; i++) {
      const stepped = until(runId, (e) => e.type === 'progress' && e.step === atPause.step + i)
      await service.controlRun({ runId, action: 'step' })
      const event = (await stepped) as Extract<LabEvent, { type: 'progress' }>
      expect(event.status).toBe('paused')
    }
    await sleep(200)
    expect((await service.getRun(runId)).steps).toBe(atPause.step + 3)

    const resumed = until(runId, (e) => e.type === 'progress' && e.step > atPause.step + 50)
    await service.controlRun({ runId, action: 'resume' })
    await resumed

    await service.controlRun({ runId, action: 'stop' })
    const summary = await service.waitForRun(runId)
    expect(summary.status).toBe('stopped')
    expect(summary.steps).toBeGreaterThan(atPause.step + 50)
    expect(summary.lossHistory.length).toBe(Math.floor(summary.steps / 16))
    await expect(service.controlRun({ runId, action: 'resume' })).rejects.toThrow(/already ended/)
  })

  it('refuses a step while running, and unknown runs, with messages', async () => {
    const { runId } = await service.startTraining(longRun)
    await until(runId, (e) => e.type === 'status' && e.status === 'running')
    await expect(service.controlRun({ runId, action: 'step' })).rejects.toThrow(/Pause the run first/)
    await expect(service.evaluate(runId, 'train')).rejects.toThrow(/once the run has ended/)
    await service.controlRun({ runId, action: 'stop' })
    expect((await service.waitForRun(runId)).status).toBe('stopped')
    await expect(service.getRun('run-999')).rejects.toMatchObject({ info: { code: 'UNKNOWN_RUN' } })
  })

  it('stops a paused run', async () => {
    const { runId } = await service.startTraining(longRun)
    await until(runId, (e) => e.type === 'progress' && e.step > 10)
    await service.controlRun({ runId, action: 'pause' })
    await service.controlRun({ runId, action: 'stop' })
    expect((await service.waitForRun(runId)).status).toBe('stopped')
  })
})

/** Polls the run as the window does (one request at a time) until `predicate` holds; returns it and how long that took. */
async function pullUntil(runId: string, predicate: (s: RunSnapshot) => boolean, timeoutMs = 30_000): Promise<{ snapshot: RunSnapshot; ms: number }> {
  const t0 = performance.now()
  for (;;) {
    const snapshot = await service.getRunSnapshot(runId)
    if (predicate(snapshot)) return { snapshot, ms: performance.now() - t0 }
    if (performance.now() - t0 > timeoutMs) throw new Error(`run ${runId} did not reach the state in ${timeoutMs} ms (at step ${snapshot.step}, ${snapshot.status})`)
    await sleep(2)
  }
}

describe.each(['dense', 'tfjs'] as const)('a 1,000,000-step run on the %s engine', (engine) => {
  it('pauses, steps, resumes and stops within 100 ms, and reports at most ~30 times a second', async () => {
    const { runId } = await service.startTraining({ ...longRun, engine, train: { ...longRun.train, epochs: 62_500 } })
    let events = 0
    const off = service.onEvent((e) => {
      if (e.type === 'progress' && e.runId === runId) events++
    })
    const { snapshot: first } = await pullUntil(runId, (s) => s.status === 'running' && s.step > 0)
    expect(first.totalSteps).toBe(1_000_000)
    const watchFrom = performance.now()
    const stepsFrom = first.step
    await pullUntil(runId, (s) => s.step > stepsFrom + 2_000)

    // the answer comes once the worker has paused: the next snapshot already shows where
    const t0 = performance.now()
    expect((await service.controlRun({ runId, action: 'pause' })).status).toBe('paused')
    const paused = await service.getRunSnapshot(runId)
    expect(paused.status).toBe('paused')
    expect(performance.now() - t0).toBeLessThan(100)
    await sleep(300)
    const still = await service.getRunSnapshot(runId)
    expect([still.status, still.step, still.epoch]).toEqual(['paused', paused.step, paused.epoch])

    const t1 = performance.now()
    await service.controlRun({ runId, action: 'step' })
    expect((await service.getRunSnapshot(runId)).step).toBe(paused.step + 1)
    expect(performance.now() - t1).toBeLessThan(100)
    await sleep(100)
    expect((await service.getRunSnapshot(runId)).step).toBe(paused.step + 1)

    await service.controlRun({ runId, action: 'resume' })
    await pullUntil(runId, (s) => s.status === 'running' && s.step > paused.step + 1_000)
    const t2 = performance.now()
    expect((await service.controlRun({ runId, action: 'stop' })).status).toBe('stopped')
    const stopped = await service.getRunSnapshot(runId)
    expect(performance.now() - t2).toBeLessThan(100)
    expect(stopped.finished).toBe(true)
    expect(stopped.step).toBeLessThan(1_000_000)
    off()

    const seconds = (performance.now() - watchFrom) / 1000
    // one coalesced report per ~33 ms of training, plus one each for pause, step, resume and stop
    expect(events).toBeLessThanOrEqual(Math.ceil(seconds * 31) + 8)
    const summary = await service.waitForRun(runId)
    expect(summary.steps).toBe(stopped.step)
    expect(summary.lossHistory).toHaveLength(stopped.epoch)
    // a fresh reader gets the whole decimated history: bounded however long the run, and ending where the run ended
    const whole = await service.getRunSnapshot(runId, { epochs: 0, steps: 0 })
    expect(whole.stepSeries.x.length).toBeLessThanOrEqual(2 * SERIES_CAPACITY)
    expect(whole.stepSeries.x.at(-1)).toBeGreaterThan(stopped.step - 2 * whole.stepSeries.stride)
    expect(whole.epochSeries.values[0].at(-1)).toBe(summary.lossHistory[(whole.epochSeries.x.at(-1) ?? 0) - 1])
  }, 120_000)
})

describe('pace', () => {
  it('unfolds a run at the chosen epochs per second in the worker, with the same numbers as a run at full speed', async () => {
    const course = { ...longRun, train: { ...longRun.train, epochs: 100 } }
    const fast = await service.waitForRun((await service.startTraining(course)).runId)
    const { runId } = await service.startTraining({ ...course, pace: 50 })
    const { snapshot: first } = await pullUntil(runId, (s) => s.epoch > 0)
    const t0 = performance.now()
    const { snapshot: midway } = await pullUntil(runId, (s) => s.epoch >= first.epoch + 25)
    // 25 epochs at 50 a second: half a second, not the milliseconds the dense engine needs
    expect(performance.now() - t0).toBeGreaterThan(400)
    expect(midway.finished).toBe(false)
    const paced = await service.waitForRun(runId)
    expect(paced.status).toBe('completed')
    expect(paced.seconds).toBeGreaterThan(1.5)
    expect(paced.lossHistory).toEqual(fast.lossHistory)
    expect(paced.stateDict).toEqual(fast.stateDict)
  })

  it('refuses a pace that is not a whole positive number of epochs per second', async () => {
    await expect(service.startTraining({ ...longRun, pace: 0 })).rejects.toThrow(/at least 1 epoch per second/)
  })
})
