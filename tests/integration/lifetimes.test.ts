/**
 * A run's thread and a service's life under a class's use: a finished run whose thread dies
 * (terminated, or an error thrown in it) still answers; a run a panel is evaluating is not let
 * go under it; dispose() ends runs, searches and file reads in flight with a sentence, and
 * every request after it is refused, starting no thread. Threads are real and counted.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import type { LabService } from '../../src/main/lab/service'
import { LabError } from '../../src/shared/errors'
import { LabService as Service } from '../../src/main/lab/service'
import type { WorkerStart } from '../../src/main/lab/train/protocol'
import type { TrainingRun } from '../../src/main/lab/train/run'
import { startWorker } from '../../src/main/lab/train/workerThread'
import { DATASETS, RESOURCES, tempDir } from '../helpers/lab'

const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }
const course = (epochs: number) => ({ dataset: cars, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs, batchSize: 2 } })
/** the service's own run, to reach the thread it holds */
const runOf = (service: LabService, runId: string): TrainingRun => (service as unknown as { runs: Map<string, { run: TrainingRun }> }).runs.get(runId)!.run
/** threads of this process, as the kernel counts them */
const osThreads = (): number => readdirSync('/proc/self/task').length

/** a service whose training threads (runs', predictions', the spare) are counted, and heard when they end */
function countedService(onStart: (start: WorkerStart, worker: Worker) => void = () => undefined): { service: LabService; started: { kind: WorkerStart['kind']; worker: Worker; exited: Promise<void> }[] } {
  const started: { kind: WorkerStart['kind']; worker: Worker; exited: Promise<void> }[] = []
  const service = new Service({
    resourcesDir: RESOURCES,
    settingsDir: tempDir('torchlab-settings-'),
    startThread: (start) => {
      const worker = startWorker(start)
      onStart(start, worker)
      started.push({ kind: start.kind, worker, exited: new Promise((ended) => worker.once('exit', () => ended())) })
      return worker
    },
  })
  return { service, started }
}

describe('a finished run whose thread dies', () => {
  it('refuses the evaluation the thread owed with a sentence, and the next one is answered by a fresh thread', { timeout: 60_000 }, async () => {
    const { service, started } = countedService()
    try {
      const { runId } = await service.startTraining(course(20))
      await service.waitForRun(runId)
      const before = await service.evaluate(runId, 'train')
      const thread = runOf(service, runId).thread!
      const terminated = thread.terminate()
      // asked before the thread's end is heard: its answer never comes
      await expect(service.evaluate(runId, 'train')).rejects.toThrow('The thread that evaluates the model ended unexpectedly.')
      await terminated
      expect(await service.evaluate(runId, 'train')).toEqual(before)
      expect(started.map((s) => s.kind)).toEqual(['train', 'serve'])
    } finally {
      service.dispose()
    }
  })

  it('refuses a prediction the thread fails at with a sentence without a stack, and answers on; an error that ends the thread is said too', { timeout: 60_000 }, async () => {
    const { service, started } = countedService()
    try {
      const { runId } = await service.startTraining(course(20))
      const summary = await service.waitForRun(runId)
      const before = await service.evaluate(runId, 'train')
      const run = runOf(service, runId)
      const thread = run.thread!
      // a TypeError inside the engine's predict: that prediction alone is refused
      const failed = await run.predict(null as unknown as Float32Array, 4).then(
        () => undefined,
        (err: unknown) => err,
      )
      expect(LabError.is(failed) && failed.info.code).toBe('INTERNAL')
      expect((failed as Error).message).toMatch(/^Something went wrong inside TorchLab: Cannot read properties of null.*This is a fault in TorchLab/)
      expect((failed as Error).message).not.toMatch(/\n\s+at /)
      expect(await service.evaluate(runId, 'train')).toEqual(before)
      expect(run.thread).toBe(thread)

      // an error thrown outside any handler (a request the thread does not know) ends it: the evaluation queued behind is refused
      thread.postMessage({ type: 'unheard-of' })
      const refused = await service.evaluate(runId, 'train').then(
        () => undefined,
        (err: Error) => err,
      )
      expect(refused?.message).toMatch(/^The model could not be evaluated: /)
      expect(refused?.message).not.toMatch(/\n\s+at /)
      expect(await service.evaluate(runId, 'train')).toEqual(before)
      expect(started.map((s) => s.kind)).toEqual(['train', 'serve'])
      // the run itself ended well, and says so still
      expect(await service.getRun(runId)).toEqual(summary)
    } finally {
      service.dispose()
    }
  })
})

describe('the kept runs', () => {
  it('keep a run a panel is evaluating until its answer arrives; once let go, it is named in the refusal', { timeout: 120_000 }, async () => {
    const { service } = countedService()
    try {
      const ids: string[] = []
      for (let i = 0; i < 8; i++) {
        const { runId } = await service.startTraining(course(5))
        await service.waitForRun(runId)
        ids.push(runId)
      }
      const evaluating = service.evaluate(ids[0], 'train')
      const ninth = (await service.startTraining(course(5))).runId
      expect((await evaluating).runId).toBe(ids[0])
      await service.waitForRun(ninth)
      // the next start lets the oldest go, now that nothing is asked of it
      await service.waitForRun((await service.startTraining(course(5))).runId)
      const gone = `There is no run "${ids[0]}" (TorchLab keeps the last 8 runs).`
      await expect(service.evaluate(ids[0], 'train')).rejects.toThrow(gone)
      await expect(service.saveRun({ runId: ids[0], path: join(tempDir(), 'gone.pth'), kind: 'state_dict' })).rejects.toThrow(gone)
      expect((await service.evaluate(ids[2], 'train')).runId).toBe(ids[2])
    } finally {
      service.dispose()
    }
  })
})

describe('the backend probe', () => {
  it('answers with a sentence when its thread ends before it answered, and the next request probes again', { timeout: 60_000 }, async () => {
    let kills = 1
    const { service, started } = countedService((start, worker) => {
      if (start.kind === 'probe' && kills-- > 0) void worker.terminate()
    })
    try {
      await expect(service.getBackend()).rejects.toThrow('The engine did not start: its thread ended before it answered.')
      expect((await service.getBackend()).engine).toBe('tfjs')
      expect(started.map((s) => s.kind)).toEqual(['probe', 'probe'])
    } finally {
      service.dispose()
    }
  })
})

describe('dispose()', () => {
  it('ends a run, a search and a file read in flight with a sentence, refuses later requests, and leaves no thread', { timeout: 120_000 }, async () => {
    const baseline = osThreads()
    const rejections: unknown[] = []
    const heard = (reason: unknown): number => rejections.push(reason)
    process.on('unhandledRejection', heard)
    const { service, started } = countedService()
    try {
      const { runId } = await service.startTraining(course(1_000_000))
      const training = service.waitForRun(runId)
      const { searchId } = await service.startSearch({ ...course(500), grid: { lr: [0.01, 0.02, 0.03] }, cv: 3 })
      const searching = service.waitForSearch(searchId)
      const probing = service.getBackend().then(
        (info) => info.engine,
        (err: Error) => err.message,
      )
      const reading = service.inspectCsv({ kind: 'file', path: join(DATASETS, 'iris.csv') }, {}).then(
        () => 'read',
        (err: Error) => err.message,
      )
      service.dispose()

      const ended = await training
      expect(ended.status).toBe('failed')
      expect(ended.error?.message).toMatch(/^TorchLab is closing/)
      expect((await searching).status).toBe('cancelled')
      // read before the worker ended, or refused with a sentence that names the file
      expect(await reading).toMatch(/^read$|iris\.csv/)
      expect(await probing).toMatch(/^TorchLab is closing/)
      for (const request of [
        () => service.startTraining(course(5)),
        () => service.inspectCsv({ kind: 'bundled', name: 'cars' }, {}),
        () => service.getBackend(),
        () => service.evaluate(runId, 'train'),
        () => service.prepareDataset(cars),
      ]) {
        await expect(request()).rejects.toThrow(/^TorchLab is closing: it ended what was running and takes no more requests/)
      }
      await Promise.all(started.map((s) => s.exited))
      expect(started.map((s) => s.kind)).toEqual(['train', 'probe'])
      // the sandbox's and the search's threads too: the process is back to the threads it had
      const deadline = Date.now() + 20_000
      while (osThreads() > baseline && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(osThreads()).toBeLessThanOrEqual(baseline)
      expect(rejections).toEqual([])
    } finally {
      process.off('unhandledRejection', heard)
    }
  })
})
