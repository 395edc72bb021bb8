/**
 * The window's service starts a training thread when the student prepares data, so the first
 * Train does not wait for a thread to load its code. The thread is real; the test counts the
 * threads the service starts and listens on the spare to see the run's messages go through it,
 * and its word that it has warmed up.
 */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import type { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LabService } from '../../src/main/lab/service'
import { CMD, command, type WorkerStart } from '../../src/main/lab/train/protocol'
import { startWorker } from '../../src/main/lab/train/workerThread'
import { RESOURCES, tempDir } from '../helpers/lab'

const ROOT = resolve(import.meta.dirname, '../..')
const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }
const request = { dataset: cars, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs: 20, batchSize: 4 } }

let services: LabService[] = []
afterEach(() => {
  for (const s of services) s.dispose()
  services = []
})

interface Started {
  kind: WorkerStart['kind']
  worker: Worker
  /** the thread's word that it has warmed up, heard from its start (it may come before the data is prepared) */
  warm: Promise<void>
  /** the thread runs its code */
  online: Promise<void>
}

/** `holdWarmUp`: the spare's warm-up pauses at its first step (its control words say pause), as a slow warm-up run would still be going when the run arrives */
function serviceWith(spareThread: boolean, holdWarmUp = false): { service: LabService; started: Started[] } {
  const started: Started[] = []
  const service = new LabService({
    resourcesDir: RESOURCES,
    settingsDir: tempDir(),
    spareThread,
    startThread: (start) => {
      if (start.kind === 'spare' && holdWarmUp) command(new Int32Array(start.control), CMD.PAUSE)
      const worker = startWorker(start)
      const warm = new Promise<void>((heard) => worker.on('message', (m: { type: string }) => m.type === 'warm' && heard()))
      const online = new Promise<void>((ran) => worker.once('online', () => ran()))
      started.push({ kind: start.kind, worker, warm, online })
      return worker
    },
  })
  services.push(service)
  return { service, started }
}

/** a service whose spare, loaded, ends as a run is handed to it: the run's start never reaches it, so no step ran */
async function spareDyingWhenHanded(): Promise<{ service: LabService; started: Started[] }> {
  const { service, started } = serviceWith(true)
  await service.prepareDataset(cars)
  const spare = started[0].worker
  await started[0].online
  spare.postMessage = () => void spare.terminate()
  return { service, started }
}

describe('a spare training thread', () => {
  it('starts once when data is prepared, and the first run trains on it, as a run on its own thread does', async () => {
    const { service, started } = serviceWith(true)
    await service.prepareDataset(cars)
    await service.prepareDataset(cars)
    expect(started.map((s) => s.kind)).toEqual(['spare'])
    const heard: string[] = []
    started[0].worker.on('message', (m: { type: string }) => heard.push(m.type))
    const { runId } = await service.startTraining(request)
    const spared = await service.waitForRun(runId)
    expect(spared.status).toBe('completed')
    expect(heard).toContain('ready')
    expect(heard.at(-1)).toBe('done')
    // no run, no thread of its own: a second preparation after a run starts no spare
    await service.prepareDataset(cars)
    expect(started.map((s) => s.kind)).toEqual(['spare'])

    const { service: plain, started: none } = serviceWith(false)
    await plain.prepareDataset(cars)
    const alone = await plain.waitForRun((await plain.startTraining(request)).runId)
    // no spare: the run starts a thread of its own
    expect(none.map((s) => s.kind)).toEqual(['train'])
    expect(spared.lossHistory).toEqual(alone.lossHistory)
    expect(spared.stateDict).toEqual(alone.stateDict)
  })

  it('warms up while it waits, and the runs it then trains, the course model or another, are the runs a fresh thread trains', async () => {
    const { service, started } = serviceWith(true)
    await service.prepareDataset(cars)
    // the spare says so once its warm-up runs are over; no run has reached it yet
    await started[0].warm
    const mlp = {
      ...request,
      model: { kind: 'mlp' as const, hidden: [{ units: 8, activation: 'Tanh' as const }] },
      train: { optimizer: { name: 'Adam' as const, lr: 0.01 }, epochs: 15, batchSize: 5, shuffle: true, seed: 3 },
    }
    const warmed = [await service.waitForRun((await service.startTraining(request)).runId), await service.waitForRun((await service.startTraining(mlp)).runId)]
    expect(started.map((s) => s.kind)).toEqual(['spare'])

    const { service: plain } = serviceWith(false)
    const fresh = [await plain.waitForRun((await plain.startTraining(request)).runId), await plain.waitForRun((await plain.startTraining(mlp)).runId)]
    for (const [i, summary] of warmed.entries()) {
      expect(summary.status).toBe('completed')
      expect(summary.lossHistory).toEqual(fresh[i].lossHistory)
      expect(summary.stateDict).toEqual(fresh[i].stateDict)
    }
  })

  it('ends its warm-up run in progress when a run arrives: that run starts on it at once, and is the run a fresh thread trains', async () => {
    const { service, started } = serviceWith(true, true)
    await service.prepareDataset(cars)
    const heard: string[] = []
    started[0].worker.on('message', (m: { type: string }) => heard.push(m.type))
    // the thread is loaded and in its warm-up, held at its first step
    await started[0].online
    const mlp = { ...request, model: { kind: 'mlp' as const, hidden: [{ units: 8, activation: 'Tanh' as const }] }, train: { optimizer: { name: 'Adam' as const, lr: 0.01 }, epochs: 15, batchSize: 5, shuffle: true, seed: 3 } }
    const spared = await service.waitForRun((await service.startTraining(mlp)).runId)
    expect(started.map((s) => s.kind)).toEqual(['spare'])
    // the warm-up never finished, and the run went through the spare
    expect(heard).not.toContain('warm')
    expect(heard).toContain('done')

    const { service: plain } = serviceWith(false)
    const fresh = await plain.waitForRun((await plain.startTraining(mlp)).runId)
    expect(spared.status).toBe('completed')
    expect(spared.lossHistory).toEqual(fresh.lossHistory)
    expect(spared.stateDict).toEqual(fresh.stateDict)
  })

  it('is forgotten when it dies before its run, which then starts a thread of its own', async () => {
    const { service, started } = serviceWith(true)
    await service.prepareDataset(cars)
    await started[0].worker.terminate()
    const summary = await service.waitForRun((await service.startTraining(request)).runId)
    expect(summary.status).toBe('completed')
  })

  it('dies as its run is handed to it: the run starts on a fresh thread, and is the run a fresh thread trains', async () => {
    const { service, started } = await spareDyingWhenHanded()
    const summary = await service.waitForRun((await service.startTraining(request)).runId)
    expect(started.map((s) => s.kind)).toEqual(['spare', 'train'])
    expect(summary.status).toBe('completed')

    const { service: plain } = serviceWith(false)
    const fresh = await plain.waitForRun((await plain.startTraining(request)).runId)
    expect(summary.lossHistory).toEqual(fresh.lossHistory)
    expect(summary.stateDict).toEqual(fresh.stateDict)
  })

  it('dies as its run is handed to it, and the fresh thread dies too: the run fails in a sentence, once', async () => {
    const { service, started } = await spareDyingWhenHanded()
    const { runId } = await service.startTraining(request)
    // held at its first step, so that it cannot finish before it is ended
    await service.controlRun({ runId, action: 'pause' })
    await vi.waitFor(() => expect(started.map((s) => s.kind)).toEqual(['spare', 'train']), { timeout: 60_000 })
    await started[1].online
    await started[1].worker.terminate()
    const summary = await service.waitForRun(runId)
    expect(summary.status).toBe('failed')
    expect(summary.error).toEqual({ code: 'ENGINE_FAILED', message: 'The training thread ended unexpectedly.' })
    expect(started.map((s) => s.kind)).toEqual(['spare', 'train'])
  })

  it('keeps no process alive: a service with a spare and no run ends when its script does', async () => {
    const script = `
      import { LabService } from ${JSON.stringify(resolve(ROOT, 'src/main/lab/service.ts'))}
      const service = new LabService({ resourcesDir: ${JSON.stringify(RESOURCES)}, settingsDir: ${JSON.stringify(tempDir())}, spareThread: true })
      await service.prepareDataset(${JSON.stringify(cars)})
      console.log('prepared')`
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000 })
    expect(stdout.trim()).toBe('prepared')
  })
})
