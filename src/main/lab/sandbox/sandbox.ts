/**
 * Runs file parsing in a worker thread with a V8 heap limit and a time limit, one request at
 * a time. A worker that runs out of memory or time, or dies, is thrown away and becomes a
 * LabError sentence; the next request gets a fresh worker. An idle worker does not keep the
 * process alive.
 */
import { stat } from 'node:fs/promises'
import type { Worker } from 'node:worker_threads'
import { LabError, labError, type ErrorCode } from '../../../shared/errors'
import { startWorkerOf } from '../train/workerThread'
import { READY, type ParseReply, type ParseRequest, type ParseResults } from './protocol'

export interface TimeLimit {
  /** time for a small file; larger files get more, in proportion to their size */
  baseMs: number
  /** bytes a worker is expected to get through per millisecond, however slow the machine */
  bytesPerMs: number
}

export interface SandboxLimits {
  /** V8 old-generation heap of the worker */
  heapMb: number
  /** a .pth file is mostly raw tensor bytes; a CSV is text, tokenised cell by cell */
  time: { pth: TimeLimit; csv: TimeLimit }
  /** time for the worker's code to load, which the file cannot influence */
  startMs: number
}

export const DEFAULT_LIMITS: SandboxLimits = {
  heapMb: 768,
  time: { pth: { baseMs: 2000, bytesPerMs: 5_000 }, csv: { baseMs: 10_000, bytesPerMs: 500 } },
  startMs: 60_000,
}

interface Job {
  request: ParseRequest
  resolve(value: unknown): void
  reject(err: unknown): void
}

function what(request: ParseRequest): { noun: string; code: ErrorCode } {
  return request.kind === 'csv' ? { noun: 'the CSV file', code: 'FILE_UNREADABLE' } : { noun: 'the .pth file', code: 'CHECKPOINT_UNSAFE' }
}

export class ParseSandbox {
  private worker?: Promise<Worker>
  private current?: Worker
  private readonly queue: Job[] = []
  private busy = false
  private nextId = 0

  constructor(private readonly limits: SandboxLimits = DEFAULT_LIMITS) {}

  run<K extends ParseRequest['kind']>(request: ParseRequest & { kind: K }): Promise<ParseResults[K]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve: resolve as (v: unknown) => void, reject })
      void this.drain()
    })
  }

  dispose(): void {
    const worker = this.worker
    this.worker = undefined
    this.current = undefined
    void worker?.then((w) => w.terminate(), () => undefined)
  }

  private async drain(): Promise<void> {
    if (this.busy) return
    const job = this.queue.shift()
    if (!job) return
    this.busy = true
    try {
      job.resolve(await this.runJob(job.request))
    } catch (err) {
      job.reject(err)
    } finally {
      this.busy = false
      void this.drain()
    }
  }

  private spawn(): Promise<Worker> {
    return new Promise<Worker>((resolve, reject) => {
      const worker = startWorkerOf('parse', null, { resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 } })
      const timer = setTimeout(() => {
        void worker.terminate()
        reject(labError('INTERNAL', `TorchLab's file reader did not start within ${this.limits.startMs / 1000} s.`))
      }, this.limits.startMs)
      // a worker that fails between requests is simply replaced; an 'error' without a listener would end the app
      worker.on('error', () => this.forget(worker))
      worker.on('exit', () => this.forget(worker))
      worker.once('message', (message) => {
        clearTimeout(timer)
        if (message === READY) {
          this.current = worker
          resolve(worker)
        }
        else reject(labError('INTERNAL', "TorchLab's file reader started in a way it should not."))
      })
      worker.once('error', (err) => {
        clearTimeout(timer)
        reject(labError('INTERNAL', `TorchLab's file reader did not start: ${err.message}`))
      })
    })
  }

  private async timeLimit(request: ParseRequest): Promise<number> {
    const size = (await stat(request.path).catch(() => undefined))?.size ?? 0
    const { baseMs, bytesPerMs } = this.limits.time[request.kind === 'csv' ? 'csv' : 'pth']
    return baseMs + Math.ceil(size / bytesPerMs)
  }

  private async runJob(request: ParseRequest): Promise<unknown> {
    const ms = await this.timeLimit(request)
    this.worker ??= this.spawn()
    let worker: Worker
    try {
      worker = await this.worker
    } catch (err) {
      this.worker = undefined
      throw err
    }
    worker.ref()
    const id = ++this.nextId
    const { noun, code } = what(request)
    try {
      return await new Promise<unknown>((resolve, reject) => {
        const fail = (message: string): void => {
          this.discard(worker)
          reject(labError(code, message))
        }
        const timer = setTimeout(
          () => fail(`TorchLab stopped reading ${noun} ${request.path}: it took longer than ${(ms / 1000).toFixed(1)} s, the reader's time limit for a file of its size. Nothing was changed.`),
          ms,
        )
        const cleanup = (): void => {
          clearTimeout(timer)
          worker.off('message', onMessage)
          worker.off('error', onError)
          worker.off('exit', onExit)
        }
        const onMessage = (reply: ParseReply): void => {
          if (reply.id !== id) return
          cleanup()
          if (reply.ok) resolve(reply.result)
          else reject(new LabError(reply.error))
        }
        const onError = (err: Error & { code?: string }): void => {
          cleanup()
          fail(
            err.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `TorchLab stopped reading ${noun} ${request.path}: it needed more than ${this.limits.heapMb} MB, the reader's memory limit. Nothing was changed.`
              : `TorchLab's reader stopped on ${noun} ${request.path} (${err.message}). Nothing was changed.`,
          )
        }
        const onExit = (): void => {
          cleanup()
          fail(`TorchLab's reader stopped on ${noun} ${request.path} before it finished. Nothing was changed.`)
        }
        worker.on('message', onMessage)
        worker.on('error', onError)
        worker.on('exit', onExit)
        worker.postMessage({ id, request })
      })
    } finally {
      if (this.current === worker) worker.unref()
    }
  }

  private discard(worker: Worker): void {
    this.forget(worker)
    void worker.terminate()
  }

  private forget(worker: Worker): void {
    if (this.current !== worker) return
    this.current = undefined
    this.worker = undefined
  }
}
