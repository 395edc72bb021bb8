/**
 * Searches through one service share its warm fit workers: a search gives the same table
 * however many fits run at once and whichever search ran before it, and cancelling one search
 * leaves another that runs beside it to finish with the course result.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { SearchSummary } from '../../src/shared/api'
import type { SearchConfigInput } from '../../src/shared/schemas'
import { COURSE_SEARCH } from '../helpers/courseSearch'
import { createService } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())

const course = COURSE_SEARCH

const search = async (config: SearchConfigInput): Promise<SearchSummary> => service.waitForSearch((await service.startSearch(config)).searchId)
const table = (s: SearchSummary) => s.rows.map((r) => ({ params: r.params, splitScores: r.splitScores, status: r.status, rank: r.rankTestScore }))

describe('searches on the service’s warm workers', () => {
  it('give the same table one after another and with one fit at a time, scaled or not', async () => {
    const first = await search(course)
    expect(first.bestParams).toEqual({ lr: 0.05, epochs: 500 })
    const again = await search(course)
    const serial = await search({ ...course, nJobs: 1 })
    expect(table(again)).toEqual(table(first))
    expect(table(serial)).toEqual(table(first))
    expect(again.refit).toEqual(first.refit)
    // standardised folds: each fold scaled on its own training rows, in whichever worker fits it
    const scaled = { ...course, dataset: { ...course.dataset, scale: 'standard' as const }, grid: { lr: [0.05, 0.2], epochs: [50] } }
    expect(table(await search(scaled))).toEqual(table(await search({ ...scaled, nJobs: 1 })))
  })

  it('cancel one search while another runs beside it: the other finishes with the course result', async () => {
    const long = await service.startSearch({ ...course, grid: { lr: [0.01, 0.02], epochs: [1_000_000] }, nJobs: 1 })
    const beside = await service.startSearch({ ...course, nJobs: 1 })
    // cancelled once both are running: the search beside it has 26 fits still to do
    await new Promise<void>((resolve) => {
      const off = service.onEvent((e) => {
        if (e.type === 'search-progress' && e.searchId === beside.searchId) {
          off()
          resolve()
        }
      })
    })
    const cancelled = await service.cancelSearch(long.searchId)
    expect(cancelled.status).toBe('cancelled')
    const done = await service.waitForSearch(beside.searchId)
    expect(done.status).toBe('completed')
    expect(done.bestParams).toEqual({ lr: 0.05, epochs: 500 })
    expect(done.fitsDone).toBe(27)
  })
})
