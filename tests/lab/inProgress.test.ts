/**
 * What a window opening on a lab that is already busy is told (listRuns, listSearches): the
 * student's runs and searches the lab keeps, finished or going, as they were asked for; not what
 * the lab let go, and not the reference runs a lesson's check trains for itself.
 */
import { afterAll, expect, it } from 'vitest'
import type { LabEvent, RunSummary } from '../../src/shared/api'
import { createService } from '../helpers/lab'

const lab = createService()
afterAll(() => lab.dispose())

const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }

it('lists a search while it runs, with the grid it was asked for, and once it is cancelled as cancelled', async () => {
  // 64x64 hidden units for 20,000 epochs of one-row batches: minutes of fits, still running when it is listed
  const { searchId } = await lab.startSearch({ dataset: cars, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 10, batchSize: 1 }, grid: { lr: [0.001, 0.002], epochs: [20_000], hidden: [[64, 64]] }, cv: 3 })
  const [going, ...more] = await lab.listSearches()
  expect(more).toEqual([])
  expect(going.summary).toMatchObject({ searchId, status: 'running', fitsTotal: 6 })
  expect(going.config.grid).toEqual({ lr: [0.001, 0.002], epochs: [20_000], hidden: [[64, 64]] })
  expect(going.config.train.batchSize).toBe(1)
  await lab.cancelSearch(searchId)
  const [ended, ...others] = await lab.listSearches()
  expect(others).toEqual([])
  expect(ended.summary).toMatchObject({ searchId, status: 'cancelled' })
})

it('lists the finished runs the lab keeps, with their history, until it lets them go', async () => {
  const short = (lr: number) => ({ dataset: cars, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr }, epochs: 3, batchSize: 8 } })
  const first = await lab.startTraining(short(0.01))
  await lab.waitForRun(first.runId)
  const [listed, ...more] = (await lab.listRuns()).filter((r) => r.runId === first.runId)
  expect(more).toEqual([])
  expect(listed).toMatchObject({ status: 'completed', epochsCompleted: 3, train: { optimizer: { lr: 0.01 } } })
  expect(listed.lossHistory).toHaveLength(3)
  // eight runs later the lab has let the first go: it is listed no more, and the newest eight are, oldest first
  const later: string[] = []
  for (let i = 0; i < 8; i++) {
    const { runId } = await lab.startTraining(short(0.02))
    await lab.waitForRun(runId)
    later.push(runId)
  }
  expect((await lab.listRuns()).map((r) => r.runId)).toEqual(later)
})

it('leaves out the runs a lesson check trains, while they train', async () => {
  const listed: RunSummary[][] = []
  const seen = new Set<string>()
  const off = lab.onEvent((event: LabEvent) => {
    // each of the check's runs, asked about as a window does when it hears of a run it does not show
    if (event.type === 'status' && event.status === 'running' && !seen.has(event.runId)) {
      seen.add(event.runId)
      void lab.listRuns().then((runs) => listed.push(runs))
    }
  })
  try {
    const report = await lab.checkLesson('learning-rate')
    expect(report.passed).toBe(true)
  } finally {
    off()
  }
  expect(seen.size).toBe(3)
  // the student's runs the lab keeps are listed meanwhile; none of the check's
  expect(listed).toHaveLength(3)
  expect(listed.flat().filter((r) => seen.has(r.runId))).toEqual([])
})

it("keeps the training settings the student last started with through a lesson check's runs", async () => {
  const { runId } = await lab.startTraining({ dataset: cars, model: { kind: 'linear' }, train: { optimizer: { name: 'Adam', lr: 0.003 }, epochs: 2, batchSize: 4 } })
  await lab.waitForRun(runId)
  await lab.checkLesson('learning-rate')
  const { lastTrain, lastDataset } = await lab.getSettings()
  expect(lastTrain).toMatchObject({ optimizer: { name: 'Adam', lr: 0.003 }, epochs: 2, batchSize: 4 })
  expect(lastDataset?.features).toEqual(['wt'])
})
