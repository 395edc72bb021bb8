/**
 * One training run as the main process sees it: a worker thread, its control words, the
 * history it has reported, a copy of its decimated series for the window to pull, and the
 * summary when it ends. Events (status, a coalesced progress, the end) go to one listener.
 * The thread is a new one or a finished run's, handed over warm; once finished, the run
 * hands its own thread to the next run, and serves later predictions from a fresh one.
 */
import type { Worker } from 'node:worker_threads'
import type { BackendInfo, DatasetSummary, LabEvent, RunProgress, RunSnapshot, RunStatus, RunSummary, SeriesCursor, SeriesLayout } from '../../../shared/api'
import { DecimatedSeries } from '../../../shared/series'
import { LabError, labError, messageIn, type LabErrorInfo } from '../../../shared/errors'
import { assertNever } from '../../../shared/exhaustive'
import type { ModelSpec, TrainConfig } from '../../../shared/schemas'
import { batchCount } from '../data/dataloader'
import type { OptimizerState } from '../engine/engine'
import { stateDictShapes } from '../../../shared/modelSpec'
import { stateDictToJson, type StateDict } from '../model/stateDict'
import { CMD, command, CONTROL, controlWords, seriesLayout, type ProgressReport, type ServeStart, type TrainStart, trainStart, type WorkerMessage, type WorkerRequest, type WorkerStart, wake } from './protocol'

const FINISHED: RunStatus[] = ['completed', 'stopped', 'diverged', 'failed']
const ACK_TIMEOUT_MS = 1000

/** puts a run's listeners on a thread; returns what takes them off, when the thread goes to another run */
function listen(worker: Worker, message: (m: WorkerMessage) => void, error: (err: Error) => void, exit: () => void): () => void {
  worker.on('message', message).on('error', error).on('exit', exit)
  return () => worker.off('message', message).off('error', error).off('exit', exit)
}

export class TrainingRun {
  /** the training thread; after the run, it stays to answer predictions until handed over or released */
  private worker?: Worker
  /** takes this run's listeners off its thread */
  private detach: () => void = () => undefined
  private readonly serveStart: Omit<ServeStart, 'engineChoice'>
  private readonly controlWords: Int32Array
  private status: RunStatus = 'starting'
  private info: BackendInfo = { engine: 'tfjs', backend: 'cpu', unavailable: [] }
  private readonly lossHistory: number[] = []
  private readonly valLossHistory: number[] = []
  private steps = 0
  private seconds = 0
  private stateDict: StateDict
  private optimizerState?: OptimizerState
  private summary?: RunSummary
  private readonly done: Promise<RunSummary>
  /** settles `done` with the summary, however the run ends */
  private ended: (summary: RunSummary) => void = () => undefined
  private nextPredictId = 1
  private readonly predictions = new Map<number, { resolve: (output: Float32Array) => void; reject: (err: Error) => void }>()
  private failure?: LabErrorInfo
  private readonly layout: SeriesLayout
  private readonly epochSeries: DecimatedSeries
  private readonly stepSeries = new DecimatedSeries(1, 'mean')
  private latest: Pick<ProgressReport, 'epoch' | 'trainLoss' | 'valLoss' | 'params'> = { epoch: 0 }
  /** reports handled so far: a reader keeps the newest snapshot when answers cross */
  private reports = 0
  private readonly waiters = new Set<() => boolean>()
  /** set once the service lets the run go: it starts no thread after that */
  private disposedBecause?: string

  constructor(
    readonly runId: string,
    private readonly model: ModelSpec,
    private readonly train: TrainConfig,
    readonly dataset: DatasetSummary,
    start: Omit<TrainStart, 'control' | 'kind'>,
    private readonly emit: (event: LabEvent) => void,
    /** epochs per second; undefined for as fast as possible */
    pace: number | undefined,
    /** a finished run's idle training thread to train on, warm; a new thread when undefined */
    thread: Worker | undefined,
    /** starts this run's training thread when none is handed over, and the thread that serves its predictions later */
    private readonly startThread: (start: WorkerStart) => Worker,
  ) {
    const control = controlWords()
    this.controlWords = new Int32Array(control)
    this.controlWords[CONTROL.PACE] = pace ?? 0
    this.layout = seriesLayout(start)
    this.epochSeries = new DecimatedSeries(1 + (this.layout.validation ? 1 : 0) + this.layout.parameters, 'sample')
    this.stateDict = start.engine.initial
    this.serveStart = { kind: 'serve', backend: start.backend, engine: { ...start.engine, optimizerState: undefined } }
    const message = trainStart(control, start)
    this.done = new Promise((resolve) => (this.ended = resolve))
    if (thread) this.trainOn(thread, message, true)
    else this.trainOn(this.startThread(message), message, false)
  }

  /**
   * Trains on `worker`, started with `message` or, when `handed` (a spare, or a finished run's
   * idle thread), sent it. A handed thread that dies before the run's first word ran none of the
   * run: it starts again, once, on a fresh thread, as it would have had there been no thread to
   * hand over, rather than fail for a thread the student never asked for.
   */
  private trainOn(worker: Worker, message: TrainStart, handed: boolean): void {
    this.worker = worker
    const onMessage = (m: WorkerMessage): void => {
      this.reports++
      this.handle(m)
      this.settle()
    }
    // a thread can die after its run, while it waits to answer predictions: only those are lost then
    const lost = (during: string, after: string): void => {
      if (this.finished) this.threadLost(worker, after)
      else if (handed && this.status === 'starting') this.startAfresh(worker, message)
      else this.fail({ code: 'ENGINE_FAILED', message: during })
    }
    // whatever the thread threw (an Error, a string), the student reads its words, not a stack
    const onError = (err: unknown): void => lost(`Training stopped because of an error: ${messageIn(err)}`, `The model could not be evaluated: ${messageIn(err)}`)
    const onExit = (): void => lost('The training thread ended unexpectedly.', 'The thread that evaluates the model ended unexpectedly.')
    this.detach = listen(worker, onMessage, onError, onExit)
    if (handed) worker.postMessage({ type: 'train', start: message } satisfies WorkerRequest)
  }

  /** the run, which the handed thread `dead` never began, on a thread of its own */
  private startAfresh(dead: Worker, message: TrainStart): void {
    this.detach()
    void dead.terminate()
    let fresh: Worker
    try {
      fresh = this.startThread(message)
    } catch (err) {
      // called from a thread's event: a throw here would end the lab
      this.fail({ code: 'ENGINE_FAILED', message: `The training thread could not start: ${messageIn(err)}` })
      return
    }
    this.trainOn(fresh, message, false)
  }

  private handle(m: WorkerMessage): void {
    switch (m.type) {
      case 'ready':
        this.info = m.info
        this.setStatus('running')
        return
      case 'progress':
        this.steps = m.step
        this.seconds = m.elapsedSeconds
        for (const loss of m.trainLosses) this.lossHistory.push(loss)
        for (const loss of m.valLosses) this.valLossHistory.push(loss)
        this.epochSeries.apply(m.epochSeries)
        this.stepSeries.apply(m.stepSeries)
        this.latest = { epoch: m.epoch, trainLoss: m.trainLoss, valLoss: m.valLoss, params: m.params }
        if (!FINISHED.includes(m.status)) this.status = m.status
        this.emit({ type: 'progress', ...this.progress })
        return
      case 'done':
        this.stateDict = m.stateDict
        this.optimizerState = m.optimizerState
        this.steps = m.steps
        this.seconds = m.seconds
        this.finish(m.status, { divergence: m.divergence })
        return
      case 'prediction':
        this.predictions.get(m.id)?.resolve(m.output)
        this.predictions.delete(m.id)
        return
      case 'predictionFailed':
        this.predictions.get(m.id)?.reject(new LabError(m.error))
        this.predictions.delete(m.id)
        return
      case 'failed':
        this.fail(m.error)
        return
      case 'warm':
        // the spare's word, crossing the run it was handed: the run is already on it
        return
      default:
        assertNever(m, 'training thread message')
    }
  }

  private get progress(): RunProgress {
    return {
      runId: this.runId,
      status: this.status,
      epoch: this.latest.epoch,
      step: this.steps,
      totalSteps: this.totalSteps,
      stepsPerEpoch: this.stepsPerEpoch,
      elapsedSeconds: this.seconds,
      ...(this.latest.trainLoss !== undefined ? { trainLoss: this.latest.trainLoss } : {}),
      ...(this.latest.valLoss !== undefined ? { valLoss: this.latest.valLoss } : {}),
      ...(this.latest.params ? { params: this.latest.params } : {}),
    }
  }

  /** what the window draws: the latest state and the series past what it holds */
  pull(since: SeriesCursor): RunSnapshot {
    return {
      ...this.progress,
      epochSeries: this.epochSeries.since(since.epochs),
      stepSeries: this.stepSeries.since(since.steps),
      layout: this.layout,
      finished: this.finished,
      seq: this.reports,
      ...(this.summary?.divergence ? { divergence: this.summary.divergence } : {}),
    }
  }

  private get totalSteps(): number {
    return this.stepsPerEpoch * this.train.epochs
  }

  private get stepsPerEpoch(): number {
    return batchCount(this.dataset.nTrain, this.train.batchSize, this.train.dropLast)
  }

  private setStatus(status: RunStatus): void {
    this.status = status
    this.emit({ type: 'status', runId: this.runId, status })
  }

  private fail(error: LabErrorInfo): void {
    if (this.finished) return
    this.failure = error
    this.finish('failed', {})
    this.settle()
    this.refusePredictions(error.message)
    this.detach()
    void this.worker?.terminate()
    this.worker = undefined
  }

  /** predictions asked for and not answered: they are refused with a sentence, never left waiting */
  private refusePredictions(sentence: string): void {
    for (const { reject } of this.predictions.values()) reject(labError('ENGINE_FAILED', sentence))
    this.predictions.clear()
  }

  /** the thread holding the finished model died (terminated, or an error in it): what it owed is refused, and the next prediction starts a fresh thread */
  private threadLost(worker: Worker, sentence: string): void {
    if (this.worker !== worker) return
    this.detach()
    this.worker = undefined
    void worker.terminate()
    this.refusePredictions(sentence)
  }

  private finish(status: RunStatus, extra: Pick<RunSummary, 'divergence'>): void {
    if (this.summary) return
    this.status = status
    this.summary = this.snapshot(extra)
    this.emit({ type: 'finished', runId: this.runId, status })
    this.ended(this.summary)
  }

  private snapshot(extra: Pick<RunSummary, 'divergence'> = {}): RunSummary {
    return {
      runId: this.runId,
      status: this.status,
      engine: this.info.engine,
      backend: this.info.backend,
      model: this.model,
      train: this.train,
      dataset: this.dataset,
      epochsCompleted: this.lossHistory.length,
      steps: this.steps,
      stepsPerEpoch: this.stepsPerEpoch,
      seconds: this.seconds,
      lossHistory: [...this.lossHistory],
      valLossHistory: [...this.valLossHistory],
      finalLoss: this.lossHistory.at(-1) ?? null,
      parameters: stateDictShapes(this.model).map(({ name, shape }) => ({ name, shape })),
      stateDict: stateDictToJson(this.stateDict),
      ...extra,
      ...(this.failure ? { error: this.failure } : {}),
    }
  }

  get current(): RunSummary {
    return this.summary ?? this.snapshot()
  }

  /** the thread the run holds now, if any: a finished run's goes to the next run, or is let go */
  get thread(): Worker | undefined {
    return this.worker
  }

  get finished(): boolean {
    return this.summary !== undefined
  }

  get weights(): StateDict {
    return this.stateDict
  }

  /** the optimizer's state when the run ended, for checkpoints */
  get optimizer(): OptimizerState | undefined {
    return this.optimizerState
  }

  get config(): { model: ModelSpec; train: TrainConfig } {
    return { model: this.model, train: this.train }
  }

  wait(): Promise<RunSummary> {
    return this.done
  }

  /**
   * Sets the control word the worker reads before every step, and answers once the worker has
   * acted (its report carries the epoch and step it paused or stopped at), so a front door can
   * show at once what really happened. A step that takes longer than ACK_TIMEOUT_MS (a huge
   * batch) answers with the state so far rather than keep the caller waiting.
   */
  async control(action: 'pause' | 'resume' | 'step' | 'stop'): Promise<RunStatus> {
    if (this.finished) {
      if (action === 'stop') return this.status
      throw labError('RUN_BUSY', `This run has already ${this.status === 'failed' ? 'failed' : 'ended'}; start a new one.`)
    }
    const c = this.controlWords
    const stepsBefore = this.steps
    if (action === 'step') {
      if (Atomics.load(c, CONTROL.CMD) !== CMD.PAUSE) throw labError('RUN_BUSY', 'Pause the run first; Step runs one batch while paused.')
      Atomics.add(c, CONTROL.CREDITS, 1)
      wake(c)
    } else {
      command(c, action === 'pause' ? CMD.PAUSE : action === 'stop' ? CMD.STOP : CMD.RUN)
    }
    const acted: Record<typeof action, () => boolean> = {
      pause: () => this.status === 'paused',
      resume: () => this.status === 'running',
      step: () => this.steps > stepsBefore,
      stop: () => false,
    }
    await this.until(() => this.finished || acted[action]())
    return this.status
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve) => {
      const waiter = (): boolean => {
        if (!condition()) return false
        clearTimeout(timer)
        resolve()
        return true
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        resolve()
      }, ACK_TIMEOUT_MS)
      timer.unref()
      this.waiters.add(waiter)
    })
  }

  /** wakes the control calls the latest report answers */
  private settle(): void {
    for (const waiter of this.waiters) if (waiter()) this.waiters.delete(waiter)
  }

  /**
   * Outputs of the trained model, computed off the main thread: by the run's worker (which
   * keeps the engine), or once that thread was released, by a fresh one built from the
   * final weights on the engine that trained them.
   */
  predict(x: Float32Array, n: number): Promise<Float32Array> {
    if (this.disposedBecause) return Promise.reject(labError('UNKNOWN_RUN', this.disposedBecause))
    if (this.status === 'failed') {
      return Promise.reject(labError('ENGINE_FAILED', 'This run failed, so it has no model to evaluate.'))
    }
    // while training, the thread's engine is the previous run's (a handed-over thread) or none yet, which would end the thread
    if (!this.finished) return Promise.reject(labError('RUN_BUSY', 'Evaluate the model once the run has ended: let it finish or stop it.'))
    const worker = this.worker ?? this.serve()
    const id = this.nextPredictId++
    return new Promise((resolve, reject) => {
      this.predictions.set(id, { resolve, reject })
      worker.postMessage({ type: 'predict', id, x, n })
    })
  }

  /** true while predictions are asked for and not yet answered: the run is not let go meanwhile */
  get answering(): boolean {
    return this.predictions.size > 0
  }

  /**
   * The finished run's idle thread, for the next run to train on: warm (its code already
   * compiled) and no second heap. This run's predictions, if asked for later, come from a
   * thread started from its final weights.
   */
  handOverThread(): Worker | undefined {
    if (!this.finished || !this.worker || this.predictions.size > 0) return undefined
    const worker = this.worker
    this.detach()
    this.worker = undefined
    return worker
  }

  /** Lets the finished run's idle thread go: it holds its own heap and module graph (tens of MB from source). */
  releaseThread(): void {
    void this.handOverThread()?.terminate()
  }

  private serve(): Worker {
    const engineChoice = this.info.engine === 'tfjs' ? 'tfjs' : 'dense'
    const worker = this.startThread({ ...this.serveStart, engineChoice, engine: { ...this.serveStart.engine, initial: this.stateDict } })
    const onMessage = (m: WorkerMessage): void => {
      if (m.type === 'prediction' || m.type === 'predictionFailed') this.handle(m)
      if (m.type === 'failed') this.threadLost(worker, `The model could not be evaluated: ${m.error.message}`)
    }
    const onError = (err: unknown): void => this.threadLost(worker, `The model could not be evaluated: ${messageIn(err)}`)
    const onExit = (): void => this.threadLost(worker, 'The thread that evaluates the model ended unexpectedly.')
    this.detach = listen(worker, onMessage, onError, onExit)
    this.worker = worker
    return worker
  }

  /**
   * The service lets the run go (evicted, or the lab is closing): its thread ends, a run still
   * training ends failed with `sentence`, and what it is asked after that is refused with it.
   */
  dispose(sentence: string): void {
    this.disposedBecause = sentence
    this.fail({ code: 'ENGINE_FAILED', message: sentence })
    this.refusePredictions(sentence)
    this.detach()
    void this.worker?.terminate()
    this.worker = undefined
  }
}

/** At a new run's start: one finished run's idle thread to train it; every other idle thread is let go. */
export function idleThread(runs: Iterable<TrainingRun>): Worker | undefined {
  let thread: Worker | undefined
  for (const run of runs) {
    if (thread) run.releaseThread()
    else thread = run.handOverThread()
  }
  return thread
}
