/**
 * The service's fit workers, kept warm across searches: started when work first needs them,
 * at most one per core, each taking the next job as it finishes one. A search hands the pool
 * a batch of jobs; cancelling a batch drops its queued jobs and terminates the workers busy
 * with it at once (fresh ones take their places), leaving other batches running. A worker that
 * dies fails only the batch it was working for, with a sentence. Idle workers do not keep the
 * process alive.
 */
import type { Worker } from 'node:worker_threads'
import { LabError, labError, messageIn, type LabErrorInfo } from '../../../shared/errors'
import { startWorkerOf } from '../train/workerThread'
import type { FitJob, FitResult } from './fit'

type Reply = { result: FitResult } | { id: number; error: LabErrorInfo }

export interface FitBatch {
  /** resolves when every job is done or the batch is cancelled; rejects with the first failure */
  readonly done: Promise<void>
  cancel(): void
}

class Batch implements FitBatch {
  readonly done: Promise<void>
  readonly queue: FitJob[]
  running = 0
  settled = false
  private resolve!: () => void
  private reject!: (err: unknown) => void

  constructor(
    jobs: FitJob[],
    readonly concurrency: number,
    readonly onResult: (result: FitResult) => void,
    private readonly stop: (batch: Batch) => void,
  ) {
    this.queue = [...jobs]
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    if (jobs.length === 0) this.finish()
  }

  get wantsWorker(): boolean {
    return !this.settled && this.queue.length > 0 && this.running < this.concurrency
  }

  finish(err?: unknown): void {
    if (this.settled) return
    this.settled = true
    this.queue.length = 0
    if (err === undefined) this.resolve()
    else this.reject(err)
  }

  cancel(): void {
    if (this.settled) return
    this.finish()
    this.stop(this)
  }
}

interface Slot {
  worker: Worker
  busy?: { job: FitJob; batch: Batch }
}

export class FitPool {
  private readonly slots: Slot[] = []
  private readonly batches: Batch[] = []
  private disposed = false

  constructor(
    private readonly size: number,
    private readonly startWorker: () => Worker = () => startWorkerOf('fit', null),
  ) {}

  /** Queues the jobs; at most `concurrency` of them run at once. */
  run(jobs: FitJob[], onResult: (result: FitResult) => void, concurrency = this.size): FitBatch {
    if (this.disposed) throw labError('INTERNAL', 'The search workers were shut down; restart TorchLab to search again.')
    const batch = new Batch(jobs, Math.max(1, concurrency), onResult, (b) => this.stop(b))
    this.batches.push(batch)
    this.schedule()
    return batch
  }

  /** Terminates every worker; batches still running end as cancelled. */
  dispose(): void {
    this.disposed = true
    for (const batch of this.batches) batch.finish()
    this.batches.length = 0
    for (const slot of this.slots.splice(0)) void slot.worker.terminate()
  }

  private schedule(): void {
    for (let i = this.batches.length - 1; i >= 0; i--) {
      const batch = this.batches[i]
      if (batch.settled || (batch.queue.length === 0 && batch.running === 0)) this.batches.splice(i, 1)
    }
    // batches in the order they came, so a search started first finishes first
    for (const batch of this.batches) {
      while (batch.wantsWorker) {
        const slot = this.slots.find((s) => !s.busy) ?? (this.slots.length < this.size && !this.disposed ? this.spawn() : undefined)
        if (!slot) return
        this.assign(slot, batch, batch.queue.shift()!)
      }
    }
  }

  private assign(slot: Slot, batch: Batch, job: FitJob): void {
    slot.busy = { job, batch }
    batch.running++
    slot.worker.ref()
    slot.worker.postMessage(job)
  }

  private spawn(): Slot {
    const slot: Slot = { worker: this.startWorker() }
    this.slots.push(slot)
    slot.worker.unref()
    slot.worker.on('message', (reply: Reply) => this.answered(slot, reply))
    // a worker's uncaught throw can be any value (a string: err.message would read undefined)
    slot.worker.on('error', (err: unknown) => this.died(slot, messageIn(err)))
    slot.worker.on('exit', (code) => this.died(slot, `it exited with code ${code}`))
    return slot
  }

  private answered(slot: Slot, reply: Reply): void {
    const busy = slot.busy
    if (!busy || !this.slots.includes(slot)) return
    slot.busy = undefined
    slot.worker.unref()
    const { batch } = busy
    batch.running--
    if ('error' in reply) {
      // the worker's LabError arrives as a plain object and, rebuilt, keeps its code and sentence
      batch.finish(new LabError(reply.error))
      this.stop(batch)
    } else if (!batch.settled) {
      batch.onResult(reply.result)
      if (batch.queue.length === 0 && batch.running === 0) batch.finish()
    }
    this.schedule()
  }

  private died(slot: Slot, why: string): void {
    const index = this.slots.indexOf(slot)
    if (index < 0) return
    this.slots.splice(index, 1)
    void slot.worker.terminate()
    if (slot.busy) {
      const { batch } = slot.busy
      batch.running--
      batch.finish(labError('ENGINE_FAILED', `A search worker stopped while fitting (${why}), so the search was ended. Start the search again; if it stops again, try a smaller model or fewer settings.`))
      this.stop(batch)
    }
    this.schedule()
  }

  /** ends a batch's fits in flight: their workers are terminated and fresh ones started in their places */
  private stop(batch: Batch): void {
    let ended = 0
    for (const slot of [...this.slots]) {
      if (slot.busy?.batch !== batch) continue
      this.slots.splice(this.slots.indexOf(slot), 1)
      batch.running--
      void slot.worker.terminate()
      ended++
    }
    // after the caller has its answer: starting a worker, for a waiting batch or to stay warm, takes the main thread tens of milliseconds
    if (ended > 0) setImmediate(() => this.warm(ended))
  }

  /** starts up to `count` idle workers, so that the next batch finds them ready */
  private warm(count: number): void {
    for (let i = 0; i < count && !this.disposed && this.slots.length < this.size; i++) this.spawn()
    this.schedule()
  }
}
