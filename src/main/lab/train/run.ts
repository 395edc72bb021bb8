/**
 * One training run as the main process sees it: a worker thread, its control words, the
 * history it has reported, and the summary when it ends. Events go to one listener.
 */
import type { Worker } from 'node:worker_threads'
import type { BackendInfo, DatasetSummary, LabEvent, RunStatus, RunSummary } from '../../../shared/api'
import { labError, type LabErrorInfo } from '../../../shared/errors'
import type { ModelSpec, TrainConfig } from '../../../shared/schemas'
import { batchCount } from '../data/dataloader'
import type { OptimizerState } from '../engine/engine'
import { stateDictShapes } from '../../../shared/modelSpec'
import { stateDictToJson, type StateDict } from '../model/stateDict'
import { CMD, CONTROL, type TrainStart, type WorkerMessage } from './protocol'
import { startWorker } from './workerThread'

const FINISHED: RunStatus[] = ['completed', 'stopped', 'diverged', 'failed']

export class TrainingRun {
  private readonly worker: Worker
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
  private nextPredictId = 1
  private readonly predictions = new Map<number, (output: Float32Array) => void>()
  private failure?: LabErrorInfo

  constructor(
    readonly runId: string,
    private readonly model: ModelSpec,
    private readonly train: TrainConfig,
    readonly dataset: DatasetSummary,
    start: Omit<TrainStart, 'control' | 'kind'>,
    private readonly emit: (event: LabEvent) => void,
  ) {
    const control = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT)
    this.controlWords = new Int32Array(control)
    this.stateDict = start.engine.initial
    this.worker = startWorker({ ...start, kind: 'train', control })
    this.done = new Promise((resolve) => {
      this.worker.on('message', (m: WorkerMessage) => {
        this.handle(m)
        if (this.summary) resolve(this.summary)
      })
      this.worker.on('error', (err) => {
        this.fail({ code: 'ENGINE_FAILED', message: `Training stopped because of an error: ${err.message}` })
        resolve(this.summary!)
      })
      this.worker.on('exit', () => {
        if (!this.summary) {
          this.fail({ code: 'ENGINE_FAILED', message: 'The training thread ended unexpectedly.' })
          resolve(this.summary!)
        }
      })
    })
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
        for (const e of m.epochs) {
          this.lossHistory.push(e.trainLoss)
          if (e.valLoss !== undefined) this.valLossHistory.push(e.valLoss)
        }
        if (!FINISHED.includes(m.status)) this.status = m.status
        this.emit({
          type: 'progress',
          runId: this.runId,
          status: this.status,
          epoch: m.epoch,
          step: m.step,
          totalSteps: this.totalSteps,
          elapsedSeconds: m.elapsedSeconds,
          epochs: m.epochs,
          stepLosses: m.stepLosses,
        })
        return
      case 'done':
        this.stateDict = m.stateDict
        this.optimizerState = m.optimizerState
        this.steps = m.steps
        this.seconds = m.seconds
        this.finish(m.status, { divergence: m.divergence })
        return
      case 'prediction':
        this.predictions.get(m.id)?.(m.output)
        this.predictions.delete(m.id)
        return
      case 'failed':
        this.fail(m.error)
        return
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
    this.failure = error
    this.finish('failed', {})
    void this.worker.terminate()
  }

  private finish(status: RunStatus, extra: Pick<RunSummary, 'divergence'>): void {
    if (this.summary) return
    this.status = status
    this.summary = this.snapshot(extra)
    this.emit({ type: 'finished', runId: this.runId, summary: this.summary })
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

  control(action: 'pause' | 'resume' | 'step' | 'stop'): RunStatus {
    if (this.finished) {
      if (action === 'stop') return this.status
      throw labError('RUN_BUSY', `This run has already ${this.status === 'failed' ? 'failed' : 'ended'}; start a new one.`)
    }
    const c = this.controlWords
    if (action === 'step') {
      if (Atomics.load(c, CONTROL.CMD) !== CMD.PAUSE) throw labError('RUN_BUSY', 'Pause the run first; Step runs one batch while paused.')
      Atomics.add(c, CONTROL.CREDITS, 1)
    } else {
      Atomics.store(c, CONTROL.CMD, action === 'pause' ? CMD.PAUSE : action === 'stop' ? CMD.STOP : CMD.RUN)
    }
    Atomics.add(c, CONTROL.SEQ, 1)
    Atomics.notify(c, CONTROL.SEQ)
    const status: RunStatus = action === 'pause' || action === 'step' ? 'paused' : action === 'resume' ? 'running' : this.status
    if (action !== 'stop' && action !== 'step') this.setStatus(status)
    return status
  }

  /** Outputs of the trained model, computed by the run's worker (which keeps the engine). */
  predict(x: Float32Array, n: number): Promise<Float32Array> {
    if (this.status === 'failed') {
      return Promise.reject(labError('ENGINE_FAILED', 'This run failed, so it has no model to evaluate.'))
    }
    const id = this.nextPredictId++
    return new Promise((resolve) => {
      this.predictions.set(id, resolve)
      this.worker.postMessage({ type: 'predict', id, x, n })
    })
  }

  dispose(): void {
    this.control('stop')
    void this.worker.terminate()
  }
}
