/**
 * LabService: the one implementation of LabApi. The Electron window, the browser bridge and
 * the CLI all call this object; none of them has logic of its own. Every argument is
 * validated here, so a front door cannot skip a check.
 */
import { mkdtemp, stat } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { basename, dirname, extname, join, resolve } from 'node:path'
import type { Worker } from 'node:worker_threads'
import {
  LAB_METHODS,
  type BackendInfo,
  type BundledDataset,
  type CheckpointInfo,
  type CsvPreview,
  type DatasetSummary,
  type Evaluation,
  type LabApi,
  type LabClient,
  type LabEvent,
  type RunSnapshot,
  type RunStart,
  type Predictions,
  type RunStatus,
  type RunSummary,
  type SearchInProgress,
  type SearchSummary,
  type TorchlabMeta,
} from '../../shared/api'
import { labError, messageIn } from '../../shared/errors'
import type { CsvSource, LossName, ModelSpec, ParseOptions, Settings, TrainConfig, TrainRequest } from '../../shared/schemas'
import { BUNDLED } from '../../shared/catalog/datasets'
import { prepareData, type PreparedData } from './data/dataset'
import { previewOf } from './data/preview'
import { sourcePath } from './data/source'
import type { Table } from './data/table'
import type { BackendPreference } from './engine/tfjs/backend'
import { tfjsRefusal } from './engine/tfjs/support'
import { initialStateDict } from './model/init'
import { suggestedLoss } from '../../shared/catalog/losses'
import { parameterCount, resolveModel, stateDictShapes, stateDictSize } from '../../shared/modelSpec'
import { stateDictFromJson } from './model/stateDict'
import { exportPython as exportPythonScript, type ExportInput } from './checkpoint/exportPy'
import { saveRunFile, saveStateDict, type StartingPoint } from './checkpoint/files'
import { recordStart, startAgain, type StartRecord } from './checkpoint/runStart'
import { notExportable } from './checkpoint/weightsOnly'
import { atomicWrite } from './files/atomicWrite'
import { refuseWritingOver } from './files/notItsSource'
import { openSettings, type SettingsStore } from './settings'
import { evaluateRun } from './train/evaluate'
import { CMD, command, controlWords, type WorkerMessage, type WorkerStart } from './train/protocol'
import { idleThread, TrainingRun } from './train/run'
import { startWorker } from './train/workerThread'
import { shortened, validate } from '../../shared/issueSentence'
import { FitPool } from './search/pool'
import { applySetting } from './search/grid'
import { checkSearchConfig } from '../../shared/searchGrid'
import { checkActiveRuns, checkActiveSearches, checkModelSize, MAX_TRACE_NUMBERS, tracedSteps } from './limits'
import { SearchRun, searchCsv } from './search/search'
import { defaultScoring } from '../../shared/catalog/losses'
import { scratchRequestSchema, type GraphResult, type Lesson, type LessonCheckReport, type LessonInfo, type ScratchRequest, type StepTrace } from '../../shared/learning'
import { engineConfig } from './engine/engine'
import { createEngine } from './engine/select'
import { moduleTrace } from './stepping/moduleSteps'
import { scratchData } from './scratch/scratchData'
import { trainScratch } from './scratch/scratchRun'
import { scratchTrace } from './scratch/scratchTrace'
import { moduleGraph, scratchGraph } from './graph/autograd'
import { modelGraph } from './graph/modelGraph'
import { bundledLessons, lessonInfo, readLessonFile } from './lessons/loader'
import { checkLesson as runLessonChecks, type LessonLab } from './lessons/check'
import { exportSkorch } from './search/exportSkorch'
import { taskForLoss } from './data/dataset'
import type { Landscape } from '../../shared/landscape'
import { lossGrid } from './landscape/lossGrid'
import { DEFAULT_LIMITS, ParseSandbox } from './sandbox/sandbox'
import { predictionsCsv, predictTable } from './predict'

/** for the CLI, whose only door into the core is this module: it reads a --init JSON file itself, refusing pipes as the lab does */
export { readTextFile } from './files/openForReading'
// a second Ctrl+C in the CLI removes the temporary file of the save it cut short
export { writerOf } from './files/atomicWrite'

export interface LabServiceOptions {
  /** folder holding datasets/ */
  resourcesDir: string
  /** where settings live; the user's config folder when absent */
  settingsDir?: string
  backend?: BackendPreference
  /** hears what the lab leaves out and says so (a setting an older TorchLab saved); standard error when absent */
  note?: (sentence: string) => void
  /**
   * Start a training thread as soon as a data set is prepared, before the first run: that run then
   * does not wait for a thread to load its code (a second or more on a busy classroom machine).
   * For the window; a CLI command that trains at once gains nothing from it.
   */
  spareThread?: boolean
  /** starts the probe's and the spare's threads (tests count them) */
  startThread?: (start: WorkerStart) => Worker
}

/** a run's settings with the optimizer a starting file restored, whose settings replace the request's as torch's load_state_dict replaces them */
function trainWith(train: TrainConfig, restored: StartingPoint['optimizer']): TrainConfig {
  return restored ? { ...train, optimizer: restored.spec } : train
}

/** where a run that ended before its planned epochs stopped (a Stop, or a divergence): export-py's script stops there too */
function stoppedAt(summary: RunSummary): Partial<Pick<TorchlabMeta, 'stoppedAt'>> {
  if (summary.epochsCompleted >= summary.train.epochs) return {}
  return { stoppedAt: { epochs: summary.epochsCompleted, steps: summary.steps - summary.epochsCompleted * summary.stepsPerEpoch } }
}

const MAX_RUNS_KEPT = 8
/** what a request about a run the service no longer keeps hears */
const noRun = (runId: string): string => `There is no run "${shortened(runId)}" (TorchLab keeps the last ${MAX_RUNS_KEPT} runs).`
/** what a request hears once the lab is closing: it starts no thread and reads no file */
const CLOSED = 'TorchLab is closing: it ended what was running and takes no more requests; open it again to go on.'
const MAX_SEARCHES_KEPT = 8
const MAX_TABLES_KEPT = 4

interface RunRecord {
  run: TrainingRun
  data: PreparedData
  /** where its weights started, for its checkpoint (export-py starts there) */
  start?: StartRecord
}

export class LabService implements LabClient {
  private spare: { worker: Worker; control: Int32Array; forget: () => void } | undefined
  private readonly tables = new Map<string, Table>()
  private readonly runs = new Map<string, RunRecord>()
  private readonly listeners = new Set<(event: LabEvent) => void>()
  private readonly searches = new Map<string, SearchRun>()
  /** the one lesson check running: one at a time, as its reference runs take the lab's threads; a second request for it joins it */
  private lessonCheck?: { lesson: string; report: Promise<LessonCheckReport> }
  /** the runs and searches lesson checks started (see lessonLab) */
  private readonly lessonWork = new Set<string>()
  private backend?: Promise<BackendInfo>
  /** the thread picking the backend, while it has not answered */
  private probe?: Worker
  private settings?: Promise<SettingsStore>
  private runCounter = 0
  /** every student file (.pth, CSV) is parsed there, never in this process; its worker starts with the service, so the first file does not wait for it */
  private readonly sandbox = new ParseSandbox(DEFAULT_LIMITS, true)
  /** a search's fits, one worker per core, kept warm from one search to the next */
  private readonly fits = new FitPool(availableParallelism())

  private readonly startThread: (start: WorkerStart) => Worker
  /** set by dispose(): no request is taken after it */
  private closed = false

  constructor(private readonly options: LabServiceOptions) {
    this.startThread = options.startThread ?? startWorker
  }

  /** a request's arguments, validated, once the lab is known to be open */
  private accept<S extends Parameters<typeof validate>[0]>(schema: S, args: unknown, what: string): ReturnType<typeof validate<S>> {
    this.refuseIfClosed()
    return validate(schema, args, what)
  }

  /** asked again after each wait of a request that starts a thread: dispose() may have come in between */
  private refuseIfClosed(): void {
    if (this.closed) throw labError('ENGINE_FAILED', CLOSED)
  }

  onEvent(listener: (event: LabEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: LabEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  /** The backend is picked in a worker, never here: tfjs in the main thread would freeze the window. */
  async getBackend(...args: Parameters<LabApi['getBackend']>): Promise<BackendInfo> {
    this.accept(LAB_METHODS.getBackend, args, 'backend request')
    // a probe that failed is forgotten: the next request tries again
    this.backend ??= this.probeBackend().catch((err: unknown) => {
      this.backend = undefined
      throw err
    })
    return this.backend
  }

  /** the probe's thread answers once, or its end is an answer too: a probe terminated or crashed never leaves its callers waiting */
  private probeBackend(): Promise<BackendInfo> {
    return new Promise<BackendInfo>((resolve, reject) => {
      const worker: Worker = this.startThread({ kind: 'probe', backend: this.options.backend ?? 'auto' })
      this.probe = worker
      const failed = (sentence: string): void => reject(labError('ENGINE_FAILED', this.closed ? CLOSED : sentence))
      worker.once('message', (m: WorkerMessage) => {
        void worker.terminate()
        if (m.type === 'ready') resolve(m.info)
        else failed(m.type === 'failed' ? m.error.message : 'The engine did not start.')
      })
      worker.once('error', (err: unknown) => failed(`The engine did not start: ${messageIn(err)}`))
      worker.once('exit', () => {
        if (this.probe === worker) this.probe = undefined
        failed('The engine did not start: its thread ended before it answered.')
      })
    })
  }

  async listDatasets(...args: Parameters<LabApi['listDatasets']>): Promise<BundledDataset[]> {
    this.accept(LAB_METHODS.listDatasets, args, 'data set list')
    return [...BUNDLED]
  }

  private async loadTable(source: CsvSource, parse: ParseOptions): Promise<Table> {
    const path = sourcePath(source, this.options.resourcesDir)
    // a file replaced keeping its modification time (cp -p, unzip) is another file: its inode or change time differ
    const facts = source.kind === 'file' ? await stat(path).catch(() => undefined) : undefined
    const version = facts ? [facts.ino, facts.size, facts.mtimeMs, facts.ctimeMs] : null
    const key = JSON.stringify([path, version, parse])
    const cached = this.tables.get(key)
    if (cached) return cached
    const table = await this.sandbox.run({ kind: 'csv', path, encoding: parse.encoding, parse })
    this.tables.set(key, table)
    if (this.tables.size > MAX_TABLES_KEPT) this.tables.delete(this.tables.keys().next().value!)
    return table
  }

  async inspectCsv(...args: Parameters<LabApi['inspectCsv']>): Promise<CsvPreview> {
    const [source, parse] = this.accept(LAB_METHODS.inspectCsv, args, 'CSV request')
    return previewOf(await this.loadTable(source, parse))
  }

  private async prepare(request: Pick<TrainRequest, 'dataset'>, loss: LossName): Promise<PreparedData> {
    const table = await this.loadTable(request.dataset.source, request.dataset.parse)
    return prepareData(table, request.dataset, loss)
  }

  async prepareDataset(...args: Parameters<LabApi['prepareDataset']>): Promise<DatasetSummary> {
    const [spec, loss] = this.accept(LAB_METHODS.prepareDataset, args, 'data set')
    this.readySpare()
    const table = await this.loadTable(spec.source, spec.parse)
    // without a loss, a text target is taken as class labels
    const guess = suggestedLoss(table.columns.find((c) => c.name === spec.target)?.kind !== 'numeric')
    return prepareData(table, spec, loss ?? guess).summary
  }

  private activeRuns(): string[] {
    return [...this.runs].filter(([, { run }]) => !run.finished).map(([id]) => id)
  }

  /** a student's run: its settings are remembered, so the window opens on them next time */
  async startTraining(...args: Parameters<LabApi['startTraining']>): Promise<RunStart> {
    const [request] = this.accept(LAB_METHODS.startTraining, args, 'training request')
    const start = await this.launchRun(request)
    void this.rememberSettings({
      lastDataset: request.dataset,
      lastModel: request.model,
      lastTrain: request.train,
      lastEngine: request.engine,
      lastPace: request.pace ?? null,
    })
    return start
  }

  private async launchRun(request: TrainRequest): Promise<RunStart> {
    checkActiveRuns(this.activeRuns())
    const data = await this.prepare(request, request.train.loss)
    const model = resolveModel(request.model, data.summary.features.length, data.outputs)
    checkModelSize(parameterCount(model))
    // refused here, before a worker starts, so the student sees why at once
    const tfjsCannot = request.engine === 'tfjs' ? tfjsRefusal(model) : null
    if (tfjsCannot) throw labError('INVALID_ARGUMENT', tfjsCannot)
    const [{ initial, optimizer, optimizerNote }, start] = await Promise.all([this.startingPoint(request, model), recordStart(request)])
    // again, now that nothing else is awaited before the run is kept: requests sent together were all let through above
    checkActiveRuns(this.activeRuns())
    this.refuseIfClosed()
    const train = trainWith(request.train, optimizer)
    const runId = `run-${++this.runCounter}`
    // a finished run's idle thread trains this one: warm, and no second heap
    const thread = idleThread(Array.from(this.runs.values(), (r) => r.run)) ?? this.takeSpare()
    let run: TrainingRun
    try {
      run = new TrainingRun(
        runId,
        model,
        train,
        data.summary,
        {
          backend: request.backend === 'auto' ? (this.options.backend ?? 'auto') : request.backend,
          engineChoice: request.engine,
          engine: engineConfig(model, train, initial, optimizer?.state),
          train,
          data: { train: data.train, val: data.val, features: data.summary.features.length },
        },
        (event) => this.emit(event),
        request.pace,
        thread,
        this.startThread,
      )
    } catch (err) {
      // no run holds the thread now: left running, it would keep the process alive
      void thread?.terminate()
      throw err
    }
    this.runs.set(runId, { run, data, start })
    this.evictOldRuns()
    return optimizerNote ? { runId, optimizerNote } : { runId }
  }

  /** Initial weights: a JSON state_dict, a .pth file (a checkpoint also brings its optimizer), or PyTorch's init. */
  private async startingPoint(request: TrainRequest, model: ModelSpec): Promise<StartingPoint> {
    if (request.init) return { initial: stateDictFromJson(request.init, stateDictShapes(model)) }
    if (!request.initFrom) return { initial: initialStateDict(model, request.train.seed) }
    return this.readStartingPoint(request.initFrom, model, request.train.optimizer, request.initKey)
  }

  /** A .pth file's weights (and a checkpoint's optimizer state) for `model`, read in the sandbox: a run's start and an export's share it. */
  private readStartingPoint(path: string, model: ModelSpec, optimizer: TrainConfig['optimizer'], key: string | undefined): Promise<StartingPoint> {
    return this.sandbox.run({ kind: 'startingPoint', path, shapes: stateDictShapes(model), optimizer, key })
  }

  async openCheckpoint(...args: Parameters<LabApi['openCheckpoint']>): Promise<CheckpointInfo> {
    const [path, options] = this.accept(LAB_METHODS.openCheckpoint, args, 'file request')
    return (await this.sandbox.run({ kind: 'checkpoint', path, activations: options.activations ?? [], values: options.values ?? false, key: options.key })).info
  }

  async saveRun(...args: Parameters<LabApi['saveRun']>): Promise<{ path: string; bytes: number }> {
    const [{ runId, path, kind }] = this.accept(LAB_METHODS.saveRun, args, 'save request')
    const { run, data, start } = this.record(runId)
    if (!run.finished) throw labError('RUN_BUSY', 'Save once the run has ended: let it finish or stop it.')
    const summary = run.current
    const { model, train } = run.config
    const { spec, task, classes, scaler } = data.summary
    await refuseWritingOver([sourcePath(spec.source, this.options.resourcesDir)], [path], 'the run')
    const bytes = await saveRunFile(path, kind, {
      weights: run.weights,
      optimizer: train.optimizer,
      optimizerState: run.optimizer,
      epoch: summary.epochsCompleted,
      loss: summary.finalLoss,
      meta: { version: 1, model, dataset: spec, task, classes, scaler, train, ...(start ? { start } : {}), ...stoppedAt(summary) },
    })
    // the full path: a relative one means the lab's working folder, which a student in a browser form cannot know
    return { path: resolve(path), bytes }
  }

  /**
   * The script, and the bare state_dicts it loads with weights_only=True: the student's own
   * file when torch 1.13 loads it that way, otherwise its weights written again beside the
   * script (a checkpoint's loss and lr are plain floats, which 1.13 refuses). A run TorchLab
   * saved also gets its initial weights, so that the script reproduces the run.
   */
  async exportPython(...args: Parameters<LabApi['exportPython']>): Promise<{ path: string; written?: string[] }> {
    const [{ checkpoint: pthPath, out: outPath }] = this.accept(LAB_METHODS.exportPython, args, 'export request')
    const opened = await this.sandbox.run({ kind: 'checkpoint', path: pthPath, activations: [], values: false })
    const { model, torchlab, kind } = opened.info
    if (!model) throw labError('CHECKPOINT_UNSUPPORTED', opened.info.modelNote)
    if (opened.codeRefusal) throw notExportable(pthPath, opened.codeRefusal)
    const beside = (what: string) => resolve(dirname(outPath), `${basename(outPath, extname(outPath))}.${what}.pth`)
    const rewritesWeights = kind !== 'state_dict' || opened.weightsOnlyRefusal !== null
    await refuseWritingOver([pthPath], [outPath, ...(rewritesWeights ? [beside('weights')] : []), ...(torchlab ? [beside('initial')] : [])], 'the export')
    const written: string[] = []
    let weightsPath = resolve(pthPath)
    if (rewritesWeights) {
      const { weights } = await this.sandbox.run({ kind: 'model', path: pthPath, activations: [] })
      weightsPath = beside('weights')
      await saveStateDict(weightsPath, weights)
      written.push(weightsPath)
    }
    let run: ExportInput['run']
    if (torchlab) {
      run = { meta: torchlab, csvPath: resolve(sourcePath(torchlab.dataset.source, this.options.resourcesDir)), initialPath: beside('initial') }
      const { start } = torchlab
      const readStart = (file: string, key: string | undefined) => this.readStartingPoint(file, model, torchlab.train.optimizer, key)
      await saveStateDict(run.initialPath, start ? await startAgain(start, readStart) : initialStateDict(model, torchlab.train.seed))
      written.push(run.initialPath)
    }
    await atomicWrite(outPath, new TextEncoder().encode(exportPythonScript({ model, weightsPath, run })))
    return written.length ? { path: resolve(outPath), written } : { path: resolve(outPath) }
  }

  async predict(...args: Parameters<LabApi['predict']>): Promise<Predictions> {
    const [request] = this.accept(LAB_METHODS.predict, args, 'prediction request')
    const opened = await this.sandbox.run({ kind: 'model', path: request.path, activations: request.activations ?? [] })
    const table = await this.loadTable(request.data, request.parse)
    const predictions = predictTable({ info: opened.info, weights: opened.weights, table, features: request.features })
    if (!request.out) return predictions
    await refuseWritingOver([request.path, sourcePath(request.data, this.options.resourcesDir)], [request.out], 'the predictions')
    await atomicWrite(request.out, new TextEncoder().encode(predictionsCsv(table, predictions)))
    return { ...predictions, written: request.out }
  }

  /** a student's search: its grid is remembered, so the Search panel opens on it next time */
  async startSearch(...args: Parameters<LabApi['startSearch']>): Promise<{ searchId: string; fitsTotal: number }> {
    // every grid value applied before the table loads: a value the search would refuse is refused without waiting for a large file
    const config = checkSearchConfig(this.accept(LAB_METHODS.startSearch, args, 'search')[0])
    const started = await this.launchSearch(config)
    void this.rememberSettings({ lastSearch: { grid: config.grid, cv: config.cv } })
    return started
  }

  private async launchSearch(config: ReturnType<typeof checkSearchConfig>): Promise<{ searchId: string; fitsTotal: number }> {
    checkActiveSearches(this.activeSearches())
    const table = await this.loadTable(config.dataset.source, config.dataset.parse)
    // folds are scaled on their own training rows, and cross-validation replaces the split
    const data = prepareData(table, { ...config.dataset, scale: 'none', valSplit: 0 }, config.train.loss)
    // the largest model a setting builds: the base model, or one of the hidden sizes the grid tries
    const archs = [config.model, ...(config.grid.hidden ?? []).map((hidden) => applySetting(config.model, config.train, { hidden }).model)]
    for (const arch of archs) checkModelSize(parameterCount(resolveModel(arch, data.summary.features.length, data.outputs)))
    checkActiveSearches(this.activeSearches())
    this.refuseIfClosed()
    const searchId = `search-${++this.runCounter}`
    const search = new SearchRun(searchId, config, data, (event) => this.emit(event), this.fits)
    this.searches.set(searchId, search)
    this.evictOldSearches()
    return { searchId, fitsTotal: search.fitsTotal }
  }

  private activeSearches(): string[] {
    return [...this.searches].filter(([, search]) => search.running).map(([id]) => id)
  }

  /** a finished search's rows and refit weights are let go once newer ones are kept */
  private evictOldSearches(): void {
    for (const [id, search] of this.searches) {
      if (this.searches.size <= MAX_SEARCHES_KEPT) return
      if (!search.running) this.searches.delete(id)
    }
  }

  private search(searchId: string): SearchRun {
    const search = this.searches.get(searchId)
    if (!search) throw labError('UNKNOWN_RUN', `There is no search "${shortened(searchId)}" (TorchLab keeps the last ${MAX_SEARCHES_KEPT} searches).`)
    return search
  }

  async cancelSearch(...args: Parameters<LabApi['cancelSearch']>): Promise<SearchSummary> {
    const [searchId] = this.accept(LAB_METHODS.cancelSearch, args, 'search id')
    return this.search(searchId).cancel()
  }

  async waitForSearch(...args: Parameters<LabApi['waitForSearch']>): Promise<SearchSummary> {
    const [searchId] = this.accept(LAB_METHODS.waitForSearch, args, 'search id')
    return this.search(searchId).wait()
  }

  async listSearches(...args: Parameters<LabApi['listSearches']>): Promise<SearchInProgress[]> {
    this.accept(LAB_METHODS.listSearches, args, 'search list')
    // the finished ones too: a window reloaded as its search ended shows the results, as it shows a finished run's
    return [...this.searches.values()].filter((search) => !this.lessonWork.has(search.searchId)).map(({ config, summary }) => ({ config, summary }))
  }

  async exportSearchCsv(...args: Parameters<LabApi['exportSearchCsv']>): Promise<{ path: string }> {
    const [{ searchId, path }] = this.accept(LAB_METHODS.exportSearchCsv, args, 'export request')
    const search = this.search(searchId)
    await refuseWritingOver([sourcePath(search.config.dataset.source, this.options.resourcesDir)], [path], 'the search results')
    await atomicWrite(path, new TextEncoder().encode(searchCsv(search.summary)))
    return { path: resolve(path) }
  }

  private evictOldRuns(): void {
    for (const [id, record] of this.runs) {
      if (this.runs.size <= MAX_RUNS_KEPT) return
      // a run still answering a panel's predictions stays until a later start: its answer arrives
      if (record.run.finished && !record.run.answering) {
        record.run.dispose(noRun(id))
        this.runs.delete(id)
      }
    }
  }

  private record(runId: string): RunRecord {
    const record = this.runs.get(runId)
    if (!record) throw labError('UNKNOWN_RUN', noRun(runId))
    return record
  }

  async controlRun(...args: Parameters<LabApi['controlRun']>): Promise<{ status: RunStatus }> {
    const [{ runId, action }] = this.accept(LAB_METHODS.controlRun, args, 'run control')
    return { status: await this.record(runId).run.control(action) }
  }

  async getRun(...args: Parameters<LabApi['getRun']>): Promise<RunSummary> {
    const [runId] = this.accept(LAB_METHODS.getRun, args, 'run id')
    return this.record(runId).run.current
  }

  async listRuns(...args: Parameters<LabApi['listRuns']>): Promise<RunSummary[]> {
    this.accept(LAB_METHODS.listRuns, args, 'run list')
    // the finished ones too: a reloaded window evaluates, saves and exports them as the window that started them did
    return [...this.runs].filter(([id]) => !this.lessonWork.has(id)).map(([, { run }]) => run.current)
  }

  /**
   * The lab as a lesson's check calls it. The runs and the search it starts are the check's
   * reference runs: no window takes them up as a student's (listRuns, listSearches leave them out),
   * and the settings the student last trained with stay what the window opens on.
   */
  private lessonLab(): LessonLab['lab'] {
    const own = <T>(id: string, value: T): T => {
      // ids of runs and searches the lab no longer keeps are let go at the same time
      for (const kept of this.lessonWork) if (!this.runs.has(kept) && !this.searches.has(kept)) this.lessonWork.delete(kept)
      this.lessonWork.add(id)
      return value
    }
    return {
      startTraining: async (...a) => {
        const [request] = this.accept(LAB_METHODS.startTraining, a, 'training request')
        const start = await this.launchRun(request)
        return own(start.runId, start)
      },
      startSearch: async (...a) => {
        const started = await this.launchSearch(checkSearchConfig(this.accept(LAB_METHODS.startSearch, a, 'search')[0]))
        return own(started.searchId, started)
      },
      waitForRun: (...a) => this.waitForRun(...a),
      evaluate: (...a) => this.evaluate(...a),
      saveRun: (...a) => this.saveRun(...a),
      openCheckpoint: (...a) => this.openCheckpoint(...a),
      waitForSearch: (...a) => this.waitForSearch(...a),
    }
  }

  async getRunSnapshot(...args: Parameters<LabApi['getRunSnapshot']>): Promise<RunSnapshot> {
    const [runId, since] = this.accept(LAB_METHODS.getRunSnapshot, args, 'run snapshot request')
    return this.record(runId).run.pull(since)
  }

  async waitForRun(...args: Parameters<LabApi['waitForRun']>): Promise<RunSummary> {
    const [runId] = this.accept(LAB_METHODS.waitForRun, args, 'run id')
    return this.record(runId).run.wait()
  }

  async evaluate(...args: Parameters<LabApi['evaluate']>): Promise<Evaluation> {
    const [runId, split] = this.accept(LAB_METHODS.evaluate, args, 'evaluation request')
    const { run, data } = this.record(runId)
    if (!run.finished) throw labError('RUN_BUSY', 'Evaluate once the run has ended: let it finish or stop it.')
    return evaluateRun(run, data, split)
  }

  private openSettingsStore(): Promise<SettingsStore> {
    this.settings ??= openSettings(this.options.settingsDir, this.options.note ?? ((sentence) => process.stderr.write(`${sentence}\n`)))
    return this.settings
  }

  async getSettings(...args: Parameters<LabApi['getSettings']>): Promise<Settings> {
    this.accept(LAB_METHODS.getSettings, args, 'settings request')
    return (await this.openSettingsStore()).read()
  }

  async updateSettings(...args: Parameters<LabApi['updateSettings']>): Promise<Settings> {
    const [patch] = this.accept(LAB_METHODS.updateSettings, args, 'settings')
    return (await this.openSettingsStore()).update(patch)
  }

  /** Remembering is a convenience: a settings file that cannot be written never fails a run. */
  private async rememberSettings(patch: Partial<Settings>): Promise<void> {
    try {
      await this.updateSettings(patch)
    } catch {
      // the run goes on; the next start simply offers the defaults
    }
  }

  // ---- the learning lab: stepping, graphs, lessons, the search as skorch code ----

  private async scratchRows(request: ScratchRequest) {
    return scratchData(await this.loadTable(request.dataset.source, request.dataset.parse), request.dataset)
  }

  /** Steps in the calling thread: a panel asks for a few at a time, each a single small batch. */
  async stepRun(...args: Parameters<LabApi['stepRun']>): Promise<StepTrace> {
    const [step] = this.accept(LAB_METHODS.stepRun, args, 'step request')
    if (step.kind === 'scratch') return scratchTrace(await this.scratchRows(step.request), step.request, step.steps)
    const request = step.request
    const data = await this.prepare(request, request.train.loss)
    const model = resolveModel(request.model, data.summary.features.length, data.outputs)
    const parameters = parameterCount(model)
    checkModelSize(parameters)
    // each step records the whole state_dict and every gradient, the batch's outputs, its rows and their targets
    const perStep = stateDictSize(model) + parameters + request.train.batchSize * (data.outputs + 2)
    const steps = tracedSteps(step.steps, perStep, parameters)
    const { initial, optimizer } = await this.startingPoint(request, model)
    const train = trainWith(request.train, optimizer)
    const engine = await createEngine(engineConfig(model, train, initial, optimizer?.state), request.engine === 'tfjs' ? 'tfjs' : 'dense', request.backend === 'auto' ? (this.options.backend ?? 'auto') : request.backend)
    try {
      const trace = moduleTrace(engine, data.train, data.summary.features.length, train, steps)
      if (steps === step.steps || trace.stopped) return trace
      return { ...trace, stopped: `TorchLab recorded the first ${steps.toLocaleString('en-US')} of the ${step.steps.toLocaleString('en-US')} steps asked for: each step of this model records ${perStep.toLocaleString('en-US')} numbers, and a trace holds up to ${MAX_TRACE_NUMBERS.toLocaleString('en-US')}.` }
    } finally {
      engine.dispose()
    }
  }

  async getGraph(...args: Parameters<LabApi['getGraph']>): Promise<GraphResult> {
    const [graph] = this.accept(LAB_METHODS.getGraph, args, 'graph request')
    if (graph.kind === 'scratch') return { autograd: scratchGraph(), model: null }
    const { request } = graph
    const data = await this.prepare(request, request.train.loss)
    const model = resolveModel(request.model, data.summary.features.length, data.outputs)
    return { autograd: moduleGraph(model, request.train.loss), model: modelGraph(model, request.train.loss) }
  }

  /** the surface the lr lecture walks on: the training rows as a run sees them (scaled when the spec scales) */
  async getLandscape(...args: Parameters<LabApi['getLandscape']>): Promise<Landscape> {
    const [request] = this.accept(LAB_METHODS.getLandscape, args, 'landscape request')
    const { features, target } = request.dataset
    if (features.length !== 1) {
      throw labError('INVALID_ARGUMENT', `The loss landscape is drawn over one weight and the bias, so it takes one feature column; ${features.length} were given (${features.join(', ')}).`)
    }
    const { train } = await this.prepare(request, 'MSELoss')
    return lossGrid({ x: train.x, y: train.y, n: train.n }, request, { feature: features[0], target })
  }

  private lessons(): Promise<Lesson[]> {
    return bundledLessons(join(this.options.resourcesDir, 'lessons'))
  }

  async listLessons(...args: Parameters<LabApi['listLessons']>): Promise<LessonInfo[]> {
    this.accept(LAB_METHODS.listLessons, args, 'lesson list')
    return (await this.lessons()).map(lessonInfo)
  }

  async getLesson(...args: Parameters<LabApi['getLesson']>): Promise<Lesson> {
    const [id] = this.accept(LAB_METHODS.getLesson, args, 'lesson id')
    return this.bundledLesson(id)
  }

  async loadLessonFile(...args: Parameters<LabApi['loadLessonFile']>): Promise<Lesson> {
    const [path] = this.accept(LAB_METHODS.loadLessonFile, args, 'lesson file')
    return readLessonFile(path)
  }

  async checkLesson(...args: Parameters<LabApi['checkLesson']>): Promise<LessonCheckReport> {
    const [which] = this.accept(LAB_METHODS.checkLesson, args, 'lesson')
    const running = this.lessonCheck
    if (running?.lesson === which) return running.report
    if (running) throw labError('RUN_BUSY', `The checks of the lesson "${shortened(running.lesson)}" are running; wait for their report, then check this one.`)
    const report = this.runLessonCheck(which)
    this.lessonCheck = { lesson: which, report }
    try {
      return await report
    } finally {
      this.lessonCheck = undefined
    }
  }

  async lessonCheckRunning(...args: Parameters<LabApi['lessonCheckRunning']>): Promise<string | null> {
    this.accept(LAB_METHODS.lessonCheckRunning, args, 'lesson check request')
    return this.lessonCheck?.lesson ?? null
  }

  private async runLessonCheck(which: string): Promise<LessonCheckReport> {
    const lesson = which.toLowerCase().endsWith('.json') ? await readLessonFile(which) : await this.bundledLesson(which)
    const report = await runLessonChecks(lesson, {
      lab: this.lessonLab(),
      scratch: async (input) => {
        const request = validate(scratchRequestSchema, input, 'from-scratch run')
        return trainScratch(await this.scratchRows(request), request)
      },
      tempDir: () => mkdtemp(join(tmpdir(), 'torchlab-lesson-')),
    })
    // progress is kept before answering, so a panel that reads the settings next sees it
    const progress = (await this.getSettings().catch(() => undefined))?.lessonProgress ?? {}
    await this.rememberSettings({ lessonProgress: { ...progress, [lesson.id]: { passed: report.passed, checkedAt: new Date().toISOString() } } })
    return report
  }

  private async bundledLesson(id: string): Promise<Lesson> {
    const lessons = await this.lessons()
    const lesson = lessons.find((l) => l.id === id)
    if (!lesson) throw labError('INVALID_ARGUMENT', `There is no lesson "${shortened(id)}". The lessons are: ${lessons.map((l) => l.id).join(', ')}; or give the path of a lesson .json file.`)
    return lesson
  }

  async exportSearchPython(...args: Parameters<LabApi['exportSearchPython']>): Promise<{ path: string }> {
    const [{ config, path }] = this.accept(LAB_METHODS.exportSearchPython, args, 'export request')
    const table = await this.loadTable(config.dataset.source, config.dataset.parse)
    if (!table.header) throw labError('INVALID_ARGUMENT', 'The skorch script reads columns by their header names; this file has no header row.')
    // the same checks a search makes, so a script is only written for a search that can run
    prepareData(table, { ...config.dataset, scale: 'none', valSplit: 0 }, config.train.loss)
    const csvPath = resolve(sourcePath(config.dataset.source, this.options.resourcesDir))
    const script = exportSkorch({
      config,
      task: taskForLoss(config.train.loss),
      scoring: config.scoring ?? defaultScoring(config.train.loss),
      csvPath,
      encoding: table.encoding,
      delimiter: table.delimiter,
      decimal: table.decimal,
    })
    await refuseWritingOver([csvPath], [path], 'the skorch script')
    await atomicWrite(path, new TextEncoder().encode(script))
    return { path: resolve(path) }
  }

  /** a spare thread while no run has one to hand over (see LabServiceOptions.spareThread) */
  private readySpare(): void {
    if (!this.options.spareThread || this.spare || this.runs.size > 0) return
    const control = controlWords()
    const spare = this.startThread({ kind: 'spare', control })
    // waiting, it must not keep a process alive; failing, it is only forgotten, and the run starts its own
    spare.unref()
    const forget = (): void => {
      if (this.spare?.worker === spare) this.spare = undefined
    }
    spare.on('error', forget).once('exit', forget)
    this.spare = { worker: spare, control: new Int32Array(control), forget }
  }

  private takeSpare(): Worker | undefined {
    if (!this.spare) return undefined
    const { worker, control, forget } = this.spare
    this.spare = undefined
    // the warm-up run in progress ends at its next step: the student's run starts now, not after it
    command(control, CMD.STOP)
    // from here the run hears its errors and its exit
    worker.off('error', forget).off('exit', forget)
    worker.ref()
    return worker
  }

  dispose(): void {
    this.closed = true
    void this.probe?.terminate()
    void this.spare?.worker.terminate()
    this.spare = undefined
    // the pool first, so that cancelling the searches starts no fresh workers
    this.fits.dispose()
    for (const search of this.searches.values()) void search.cancel()
    for (const { run } of this.runs.values()) run.dispose(CLOSED)
    this.runs.clear()
    this.sandbox.dispose()
  }
}
