/**
 * A class's odd orders: a search holds every core of the fit pool while two runs train beside
 * it; one run is paused, stepped and stopped without touching the other, nor the search. Each
 * computes what it computes alone.
 */
import { describe, expect, it } from 'vitest'
import type { LabEvent, SearchSummary } from '../../src/shared/api'
import { createService } from '../helpers/lab'

const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }
const course = (epochs: number) => ({ dataset: cars, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs, batchSize: 2 } })
const grid = { ...course(300), grid: { lr: [0.01, 0.02, 0.05] }, cv: 3 }
const table = (s: SearchSummary) => s.rows.map((r) => ({ params: r.params, splitScores: r.splitScores, status: r.status }))

describe('runs beside a search', () => {
  it('train while the search holds the pool; pausing and stopping one run leaves the other run and the search as they are alone', { timeout: 240_000 }, async () => {
    const service = createService()
    try {
      const { searchId } = await service.startSearch(grid)
      const long = (await service.startTraining(course(1_000_000))).runId
      const short = (await service.startTraining(course(400))).runId
      await new Promise<void>((going) => {
        const off = service.onEvent((e: LabEvent) => {
          if (e.type === 'progress' && e.runId === long && e.step > 50) {
            off()
            going()
          }
        })
      })
      expect((await service.controlRun({ runId: long, action: 'pause' })).status).toBe('paused')
      const pausedAt = (await service.getRun(long)).steps
      const shortDone = await service.waitForRun(short)
      const searched = await service.waitForSearch(searchId)
      // held all along: nothing the other run or the search did moved it
      expect((await service.getRun(long)).steps).toBe(pausedAt)
      await service.controlRun({ runId: long, action: 'step' })
      expect((await service.getRun(long)).steps).toBe(pausedAt + 1)
      expect(await service.controlRun({ runId: long, action: 'stop' })).toEqual({ status: 'stopped' })
      const longDone = await service.waitForRun(long)
      expect(longDone.steps).toBe(pausedAt + 1)

      const alone = createService()
      try {
        const shortAlone = await alone.waitForRun((await alone.startTraining(course(400))).runId)
        expect(shortDone.status).toBe('completed')
        expect(shortDone.lossHistory).toEqual(shortAlone.lossHistory)
        expect(shortDone.stateDict).toEqual(shortAlone.stateDict)
        const searchAlone = await alone.waitForSearch((await alone.startSearch(grid)).searchId)
        expect(searched.status).toBe('completed')
        expect(table(searched)).toEqual(table(searchAlone))
      } finally {
        alone.dispose()
      }
    } finally {
      service.dispose()
    }
  })
})
