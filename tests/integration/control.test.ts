/** Pause, resume, single step and stop on a real training worker. */
import { afterAll, describe, expect, it } from 'vitest'
import type { LabEvent } from '../../src/shared/api'
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
