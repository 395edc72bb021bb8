/**
 * A pool of fit workers (one per core by default): each takes the next job when it finishes
 * one. Cancelling terminates the workers at once; results already in are kept by the caller.
 */
import type { Worker } from 'node:worker_threads'
import { LabError, labError, type LabErrorInfo } from '../../../shared/errors'
import { startWorkerOf } from '../train/workerThread'
import type { FitJob, FitResult } from './fit'

type Reply = { result: FitResult } | { id: number; error: LabErrorInfo }

export class FitPool {
  private readonly workers: Worker[] = []
  private cancelled = false
  /** settles the run in flight when the pool is cancelled */
  private settle?: () => void

  constructor(private readonly size: number) {}

  /** Runs every job; resolves when all are done or the pool is cancelled. */
  run(jobs: FitJob[], onResult: (result: FitResult) => void): Promise<void> {
    const queue = [...jobs]
    let running = 0
    return new Promise((resolve, reject) => {
      this.settle = resolve
      if (this.cancelled) resolve()
      const next = (worker: Worker): void => {
        if (this.cancelled) return
        const job = queue.shift()
        if (!job) {
          if (running === 0) resolve()
          return
        }
        running++
        worker.postMessage(job)
      }
      for (let i = 0; i < Math.min(this.size, jobs.length); i++) {
        const worker = startWorkerOf('fit', null)
        this.workers.push(worker)
        worker.on('message', (reply: Reply) => {
          running--
          if ('error' in reply) {
            // rejected before cancel() settles the run as done, so the failure is not lost; the
            // worker's LabError arrives as a plain object and, rebuilt, keeps its code and sentence
            reject(new LabError(reply.error))
            this.cancel()
            return
          }
          onResult(reply.result)
          if (queue.length === 0 && running === 0) resolve()
          else next(worker)
        })
        worker.on('error', (err) => {
          reject(labError('ENGINE_FAILED', `A search worker failed: ${err.message}`))
          this.cancel()
        })
        next(worker)
      }
      if (jobs.length === 0) resolve()
    })
  }

  cancel(): void {
    this.cancelled = true
    this.settle?.()
    for (const worker of this.workers) void worker.terminate()
    this.workers.length = 0
  }
}
