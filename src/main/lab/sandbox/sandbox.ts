/**
 * Runs file parsing in a worker thread with a V8 heap limit and a time limit, one request at
 * a time; a large CSV's numbers are read by two workers, each under those limits. A worker that
 * runs out of memory or time, or dies, is thrown away and becomes a LabError sentence; the next
 * request gets fresh workers. An idle worker does not keep the process alive.
 */
import { stat } from 'node:fs/promises'
import { MessageChannel, type Worker } from 'node:worker_threads'
import { LabError, labError, messageIn, type ErrorCode } from '../../../shared/errors'
import { startWorkerOf } from '../train/workerThread'
import { READY, type ParseReply, type ParseRequest, type ParseResults, type WorkerRequest } from './protocol'

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
  /**
   * A worker idle this long is replaced by a fresh one. What a file left in it (the read buffer
   * the next file would reuse, a large CSV's shared columns) is freed only by the worker's own
   * garbage collector, which an idle worker never runs: a classroom machine would hold a large
   * data set's memory for as long as the app stays open.
   */
  idleMs: number
}

export const DEFAULT_LIMITS: SandboxLimits = {
  heapMb: 768,
  time: { pth: { baseMs: 2000, bytesPerMs: 5_000 }, csv: { baseMs: 10_000, bytesPerMs: 500 } },
  startMs: 60_000,
  idleMs: 60_000,
}

interface Job {
  request: ParseRequest
  resolve(value: unknown): void
  reject(err: unknown): void
}

function what(request: ParseRequest): { noun: string; code: ErrorCode } {
  return request.kind === 'csv'
    ? { noun: 'the CSV file', code: 'FILE_UNREADABLE' }
    : { noun: 'the .pth file', code: 'CHECKPOINT_UNSAFE' }
}

/** what a request hears when the sandbox was disposed before its file was read */
function closedBefore(request: ParseRequest): LabError {
  const { noun, code } = what(request)
  return labError(code, `TorchLab closed before it read ${noun} ${request.path}. Nothing was changed.`)
}

/** files at least this large are read by two workers when the second one is ready */
export const SPLIT_BYTES = 8 * 1024 * 1024

/** One worker of the sandbox: started on demand, idle without keeping the process alive, replaced once it fails. */
class Slot {
  private worker?: Promise<Worker>
  private current?: Worker
  private idle?: NodeJS.Timeout
  /** workers replaced after idling */
  renewals = 0

  constructor(private readonly limits: SandboxLimits) {}

  /** the worker, started if there is none */
  start(): Promise<Worker> {
    this.worker ??= this.spawn().catch((err: unknown) => {
      this.worker = undefined
      throw err
    })
    return this.worker
  }

  /** the worker if it is started and idle-ready now, without waiting for one */
  ready(): Worker | undefined {
    return this.current
  }

  /** the worker stays alive while it works for a request, and lets the process end when idle */
  busy(worker: Worker, busy: boolean): void {
    if (this.current !== worker) return
    clearTimeout(this.idle)
    if (busy) {
      worker.ref()
      return
    }
    worker.unref()
    this.idle = setTimeout(() => this.renew(worker), this.limits.idleMs)
    this.idle.unref()
  }

  /** a fresh worker in place of one that has idled since its last file (SandboxLimits.idleMs) */
  private renew(worker: Worker): void {
    if (this.current !== worker) return
    this.renewals++
    this.discard(worker)
    this.start().catch(() => undefined)
  }

  discard(worker: Worker): void {
    this.forget(worker)
    void worker.terminate()
  }

  dispose(): void {
    clearTimeout(this.idle)
    const worker = this.worker
    this.worker = undefined
    this.current = undefined
    void worker?.then(
      (w) => w.terminate(),
      () => undefined,
    )
  }

  private forget(worker: Worker): void {
    if (this.current !== worker) return
    this.current = undefined
    this.worker = undefined
  }

  private spawn(): Promise<Worker> {
    return new Promise<Worker>((resolve, reject) => {
      const worker = startWorkerOf('parse', null, {
        resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      })
      worker.unref()
      const timer = setTimeout(() => {
        void worker.terminate()
        reject(labError('INTERNAL', `TorchLab's file reader did not start within ${this.limits.startMs / 1000} s.`))
      }, this.limits.startMs)
      timer.unref()
      // a worker that fails between requests is simply replaced; an 'error' without a listener would end the app
      worker.on('error', () => this.forget(worker))
      worker.on('exit', () => this.forget(worker))
      worker.once('message', (message) => {
        clearTimeout(timer)
        if (message === READY) {
          this.current = worker
          resolve(worker)
        } else reject(labError('INTERNAL', "TorchLab's file reader started in a way it should not."))
      })
      worker.once('error', (err: unknown) => {
        clearTimeout(timer)
        reject(labError('INTERNAL', `TorchLab's file reader did not start: ${messageIn(err)}`))
      })
    })
  }
}

export class ParseSandbox {
  /** parses every file */
  private readonly reader: Slot
  /** reads the second half of a large CSV's numbers, under the same limits */
  private readonly helper: Slot
  private readonly queue: Job[] = []
  private busy = false
  private nextId = 0
  private splits = 0
  /** set by dispose(): no worker starts after it */
  private disposed = false

  /** `warm`: start the reader now, so the first file does not wait for the worker's code to load */
  constructor(
    private readonly limits: SandboxLimits = DEFAULT_LIMITS,
    warm = false,
  ) {
    this.reader = new Slot(limits)
    this.helper = new Slot(limits)
    if (warm) this.reader.start().catch(() => undefined)
  }

  run<K extends ParseRequest['kind']>(request: ParseRequest & { kind: K }): Promise<ParseResults[K]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve: resolve as (v: unknown) => void, reject })
      void this.drain()
    })
  }

  /** large CSVs handed to both workers so far */
  get splitReads(): number {
    return this.splits
  }

  /** workers replaced by fresh ones after idling (SandboxLimits.idleMs) */
  get idleRenewals(): number {
    return this.reader.renewals + this.helper.renewals
  }

  /** resolves once the helper for large CSVs is loaded (started if it is not), so the next large file is split */
  async helperReady(): Promise<void> {
    await this.helper.start()
  }

  /** ends the workers; the request being read fails as a worker that died does, the ones waiting are refused */
  dispose(): void {
    this.disposed = true
    this.reader.dispose()
    this.helper.dispose()
  }

  private async drain(): Promise<void> {
    if (this.busy) return
    const job = this.queue.shift()
    if (!job) return
    this.busy = true
    try {
      if (this.disposed) throw closedBefore(job.request)
      job.resolve(await this.runJob(job.request))
    } catch (err) {
      job.reject(err)
    } finally {
      this.busy = false
      void this.drain()
    }
  }

  private async sizeOf(request: ParseRequest): Promise<number> {
    return (await stat(request.path).catch(() => undefined))?.size ?? 0
  }

  /**
   * The helper for a large CSV when it is ready; otherwise it starts for the next one, and this
   * file is read by one worker (waiting for a worker to load would cost more than the split saves).
   */
  private helperFor(request: ParseRequest, size: number): Worker | undefined {
    if (request.kind !== 'csv' || size < SPLIT_BYTES) return undefined
    const ready = this.helper.ready()
    if (!ready) this.helper.start().catch(() => undefined)
    return ready
  }

  private async runJob(request: ParseRequest): Promise<unknown> {
    const size = await this.sizeOf(request)
    const { baseMs, bytesPerMs } = this.limits.time[request.kind === 'csv' ? 'csv' : 'pth']
    const ms = baseMs + Math.ceil(size / bytesPerMs)
    // closed while the file's size was read: a reader started now would outlive the lab
    if (this.disposed) throw closedBefore(request)
    const worker = await this.reader.start()
    const helper = this.helperFor(request, size)
    const workers = helper ? [worker, helper] : [worker]
    const id = ++this.nextId
    const { noun, code } = what(request)
    this.reader.busy(worker, true)
    if (helper) this.helper.busy(helper, true)
    try {
      return await new Promise<unknown>((resolve, reject) => {
        // a job's workers fail together: the reader would wait forever for a helper that died
        const fail = (message: string): void => {
          this.reader.discard(worker)
          if (helper) this.helper.discard(helper)
          reject(labError(code, message))
        }
        const timer = setTimeout(
          () =>
            fail(
              `TorchLab stopped reading ${noun} ${request.path}: it took longer than ${(ms / 1000).toFixed(1)} s, the reader's time limit for a file of its size. Nothing was changed.`,
            ),
          ms,
        )
        const cleanup = (): void => {
          clearTimeout(timer)
          worker.off('message', onMessage)
          for (const w of workers) {
            w.off('error', onError)
            w.off('exit', onExit)
          }
        }
        const onMessage = (reply: ParseReply): void => {
          if (reply.id !== id) return
          cleanup()
          if (reply.ok) resolve(reply.result)
          else reject(new LabError(reply.error))
        }
        // a worker's uncaught throw can be any value, not only an Error
        const onError = (err: unknown): void => {
          cleanup()
          fail(
            (err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `TorchLab stopped reading ${noun} ${request.path}: it needed more than ${this.limits.heapMb} MB, the reader's memory limit. Nothing was changed.`
              : `TorchLab's reader stopped on ${noun} ${request.path} (${messageIn(err)}). Nothing was changed.`,
          )
        }
        const onExit = (): void => {
          cleanup()
          fail(`TorchLab's reader stopped on ${noun} ${request.path} before it finished. Nothing was changed.`)
        }
        worker.on('message', onMessage)
        for (const w of workers) {
          w.on('error', onError)
          w.on('exit', onExit)
        }
        if (helper) {
          this.splits++
          const channel = new MessageChannel()
          helper.postMessage({ help: channel.port2 } satisfies WorkerRequest, [channel.port2])
          worker.postMessage({ id, request, helper: channel.port1 } satisfies WorkerRequest, [channel.port1])
        } else {
          worker.postMessage({ id, request } satisfies WorkerRequest)
        }
      })
    } finally {
      this.reader.busy(worker, false)
      if (helper) this.helper.busy(helper, false)
    }
  }
}
