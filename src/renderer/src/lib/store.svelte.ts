/**
 * The window's state: what the student chose in each panel and the runs of this session.
 * Every operation goes through `lab`; this module only keeps what the panels show.
 */
import type {
  BackendInfo,
  BundledDataset,
  CheckpointInfo,
  CsvPreview,
  DatasetSummary,
  Evaluation,
  LabEvent,
  RunSnapshot,
  RunStatus,
  RunSummary,
} from '../../../shared/api'
import { LabError, type LabErrorInfo } from '../../../shared/errors'
import type {
  CsvSource,
  EngineChoice,
  DatasetSpec,
  DatasetSpecInput,
  LayerKind,
  LayerSpec,
  LossName,
  ModelArch,
  ModelSpec,
  OptimizerName,
  OptimizerSpec,
  ParseOptions,
  TrainConfig,
  TrainConfigInput,
} from '../../../shared/schemas'
import { parseOptionsSchema, sameSource, trainConfigSchema } from '../../../shared/schemas'
import { COURSE } from '../../../shared/catalog/course'
import { lossDefaults, lossForTarget, lossOf, outputCount, suggestedLoss, type LossArgs } from '../../../shared/catalog/losses'
import { optimizerStart } from '../../../shared/catalog/optimizers'
import { defaultLayer } from '../../../shared/layers'
import { mlpLayers, resolveModel, stateDictValueNames } from '../../../shared/modelSpec'
import { host, lab, messageOf } from './lab'
import { Uploads } from './uploads'
import type { DroppedFile } from '../../../shared/wire'
import { builderErrors } from './validation'
import { RunSeries } from './runSeries'
import { distinctLabels } from './distinctLabels'
import { RequestOrder } from './requestOrder'

export type Role = 'feature' | 'target' | 'ignore'

/** the chosen optimizer's fields, as its catalogue entry lists them */
export type OptimizerFields = OptimizerSpec

export interface RunView {
  runId: string
  label: string
  /** runs are compared on one loss axis only when their losses are of one kind */
  loss: LossName
  status: RunStatus
  epoch: number
  /** the epochs this run was started with (the form's field may have changed since) */
  epochs: number
  /** the data and model kind it trains on: its plots stay its own when the form moves on to other data or another model */
  dataset: DatasetSummary
  modelKind: ModelArch['kind']
  /** the state_dict's numbers by name (`linear.weight[0]`), in the order its parameter series holds them */
  valueNames: string[]
  step: number
  totalSteps: number
  stepsPerEpoch: number
  elapsed: number
  /** the last finished epoch's train loss and (small models) parameters: the tip of the curves and the fitted line */
  trainLoss?: number
  params?: number[]
  /** the decimated series, filled by pulls; `version` changes whenever they do */
  series?: RunSeries
  version: number
  /** the report number of the snapshot shown */
  seq: number
  summary?: RunSummary
  evaluation?: Evaluation
  /** why a run that ended has no metrics */
  unmeasured?: string
  error?: string
  /** left out of the loss plot (the runs table's "show" box) */
  hidden: boolean
}

const MAX_RUNS_SHOWN = 6
/** the window pulls a run's state at most this often (about 30 times a second), one request at a time */
const PULL_MS = 33

/** the layer list a new nn.Sequential starts from: the MLP shorthand's */
/** what decides which rows a run trains and validates on, and their values, beside the columns' roles */
type DataPrep = Pick<DatasetSpec, 'missing' | 'scale' | 'valSplit' | 'splitSeed'>

const STARTING_LAYERS = mlpLayers([COURSE.hidden[0]], COURSE.hiddenActivation)

const isLive = (status: RunStatus | undefined): boolean => status === 'starting' || status === 'running' || status === 'paused'

/** a run as the window first shows it, before its first snapshot */
function newRunView(runId: string, label: string, run: Pick<RunView, 'loss' | 'epochs' | 'dataset' | 'modelKind' | 'valueNames'>): RunView {
  return { runId, label, ...run, status: 'starting', epoch: 0, step: 0, totalSteps: 0, stepsPerEpoch: 1, elapsed: 0, version: 0, seq: -1, hidden: false }
}

/** the course's one-feature regression line, drawn as a fitted line with its weight and bias curves */
export function isCourseModel(modelKind: ModelArch['kind'], features: readonly string[], loss: LossName): boolean {
  return modelKind === 'linear' && features.length === 1 && loss !== 'CrossEntropyLoss'
}

/** what tells this session's runs apart: data, target, model, optimizer, lr, batch, shuffle */
function runLabel(
  name: string,
  features: string[],
  target: string,
  model: ModelArch | ModelSpec,
  o: OptimizerSpec,
  batchSize: number,
  shuffle: boolean,
): string {
  const layers = model.kind === 'linear' ? 'linear' : model.layers.map((l) => (l.kind === 'Linear' ? `Linear(${l.outFeatures ?? ''})` : l.kind)).join(' ')
  return `${name}: ${features.join(',')} → ${target} · ${layers} · ${o.name} lr ${o.lr} · batch ${batchSize}${shuffle ? ' · shuffled' : ''}`
}

export function errorInfo(err: unknown): LabErrorInfo {
  return err instanceof LabError ? err.info : { code: 'INTERNAL', message: messageOf(err) }
}

class LabState {
  backend = $state<BackendInfo | null>(null)
  datasets = $state<BundledDataset[]>([])
  readonly uploads = new Uploads(host)

  source = $state<CsvSource>({ kind: 'bundled', name: 'cars' })
  parse = $state<ParseOptions>(parseOptionsSchema.parse({}))
  preview = $state<CsvPreview | null>(null)
  dataError = $state<LabErrorInfo | null>(null)
  /** why the window opened on other data than last time */
  dataNote = $state<string | null>(null)
  roles = $state<Record<string, Role>>({})
  /**
   * Every role given in this source, by column name, also of columns the last parse lost: a parse
   * option that changes the columns (a wrong delimiter tried) and is changed back brings them back.
   */
  private chosenRoles: Record<string, Role> = {}
  missing = $state<'drop' | 'mean'>('drop')
  scale = $state<'none' | 'standard'>('none')
  valSplit = $state(0)
  splitSeed = $state(0)
  summary = $state<DatasetSummary | null>(null)
  summaryError = $state<LabErrorInfo | null>(null)
  /** data chosen (a set, a file, its parse options, a lesson's or a checkpoint's data): the last one chosen is shown */
  private readonly dataRequests = new RequestOrder()
  /** summaries asked for (roles, scaling, split changed): the last one asked for is shown */
  private readonly summaryRequests = new RequestOrder()

  arch = $state<ModelArch>({ kind: 'linear' })
  /** the layer list kept while the course's linear model is chosen, so switching back restores it */
  private layers: LayerSpec[] = STARTING_LAYERS
  loss = $state<LossName>('MSELoss')
  lossArgs = $state<LossArgs>(lossDefaults())
  optimizer = $state<OptimizerFields>(optimizerStart(COURSE.optimizer))
  epochs = $state<number>(COURSE.epochs)
  batchSize = $state<number>(COURSE.batchSize)
  shuffle = $state<boolean>(COURSE.shuffle)
  dropLast = $state<boolean>(COURSE.dropLast)
  seed = $state(0)
  engine = $state<EngineChoice>('auto')
  /** epochs per second the next run unfolds at; null for as fast as possible */
  pace = $state<number | null>(COURSE.pace)
  /** a .pth to start the next run from */
  initFrom = $state<string | null>(null)
  /** the state_dict of initFrom to start from, when the file holds several */
  initKey = $state<string | undefined>(undefined)
  /** what became of initFrom's optimizer state in the last run started from it, as the service said */
  optimizerNote = $state<string | null>(null)

  runs = $state<RunView[]>([])
  currentId = $state<string | null>(null)
  /** a start request is on its way: a second click (a double click, Ctrl+Enter twice) must not start a second run */
  launching = $state(false)
  trainError = $state<string | null>(null)
  /** why the lab service can no longer be reached (the browser's server stopped); null while it can */
  connectionLost = $state<string | null>(null)
  opened = $state<CheckpointInfo | null>(null)
  /** the search panel listens here for its events */
  readonly searchListeners = new Set<(event: Extract<LabEvent, { searchId: string }>) => void>()

  get current(): RunView | undefined {
    return this.runs.find((r) => r.runId === this.currentId)
  }

  get features(): string[] {
    return Object.entries(this.roles)
      .filter(([, r]) => r === 'feature')
      .map(([c]) => c)
  }

  get target(): string | undefined {
    return Object.entries(this.roles).find(([, r]) => r === 'target')?.[0]
  }

  /** each run's label as the runs table shows it, where a whole label is cut off: what tells it from the others */
  get shortLabels(): string[] {
    return distinctLabels(this.runs.map((r) => r.label))
  }

  get running(): boolean {
    return !this.connectionLost && isLive(this.current?.status)
  }

  /** a run's status as the window can know it: a live run's last status means nothing once the lab is out of reach */
  statusShown(run: RunView): string {
    return this.connectionLost && isLive(run.status) ? 'disconnected' : run.status
  }

  /** a data set as the runs table names it: a bundled set's name, a file's (an upload's own) name */
  sourceName(source: CsvSource): string {
    if (source.kind === 'bundled') return source.name
    return this.uploads.shown(source.path).split(/[\\/]/).pop() ?? source.path
  }

  datasetSpec(): DatasetSpecInput {
    return {
      source: $state.snapshot(this.source),
      parse: $state.snapshot(this.parse),
      features: this.features,
      target: this.target ?? '',
      missing: this.missing,
      scale: this.scale,
      valSplit: this.valSplit,
      splitSeed: this.splitSeed,
    }
  }

  trainConfig(): TrainConfigInput {
    const optimizer = $state.snapshot(this.optimizer) as OptimizerSpec
    return { loss: this.loss, ...this.lossArgs, optimizer, epochs: this.epochs, batchSize: this.batchSize, shuffle: this.shuffle, dropLast: this.dropLast, seed: this.seed }
  }

  /** a search's fits batch as skorch's iterator does: with the search's own batch size and shuffle, keeping the last batch */
  searchTrainConfig(batchSize: number, shuffle: boolean): TrainConfigInput {
    return { ...this.trainConfig(), batchSize, shuffle, dropLast: false }
  }

  /** a new optimizer starts from its suggested learning rate and torch's defaults */
  chooseOptimizer(name: OptimizerName): void {
    this.optimizer = optimizerStart(name)
  }

  /** the course's LinearRegressionTorch with every setting of the lecture (the course preset), or the layer list */
  chooseModel(kind: ModelArch['kind']): void {
    if (kind === 'linear') {
      void this.applyCoursePreset()
    } else if (this.arch.kind !== 'sequential') {
      this.arch = { kind: 'sequential', layers: this.layers }
    }
  }

  private editLayers(change: (layers: LayerSpec[]) => LayerSpec[]): void {
    if (this.arch.kind === 'sequential') this.arch = { kind: 'sequential', layers: change([...this.arch.layers]) }
  }

  /**
   * A layer of this kind with torch's defaults, before position `at`; when absent, at the end of
   * the hidden layers: before a last Linear that the data sizes, which stays the output layer.
   */
  addLayer(kind: LayerKind, at?: number): void {
    this.editLayers((layers) => {
      const last = layers.at(-1)
      const output = last?.kind === 'Linear' && last.outFeatures === undefined
      layers.splice(at ?? (output ? layers.length - 1 : layers.length), 0, defaultLayer(kind))
      return layers
    })
  }

  /** the builder's sentences: what keeps the layers or the training settings from being valid */
  get builderErrors(): string[] {
    return builderErrors(this.arch, this.trainConfig())
  }

  /** why Start cannot start a run now, or '' when it can: data chosen, the settings valid, the model buildable */
  get startProblem(): string {
    if (this.summary === null) return 'Choose a data set first.'
    return this.builderErrors[0] ?? this.resolvedModel.problem
  }

  /** the model as the lab will build it from the data and the loss, or the sentence saying why it cannot be built */
  get resolvedModel(): { spec: ModelSpec | null; problem: string } {
    const classes = this.summary?.classes?.length
    // a classifier's output layer has one output per class: unknown until the data is chosen
    if (lossOf(this.loss).task === 'multiclass' && classes === undefined) return { spec: null, problem: 'Choose a data set to size the output layer (one output per class).' }
    try {
      return { spec: resolveModel(this.arch, Math.max(1, this.features.length), outputCount(this.loss, classes ?? 1)), problem: '' }
    } catch (err) {
      return { spec: null, problem: messageOf(err) }
    }
  }

  removeLayer(i: number): void {
    this.editLayers((layers) => layers.filter((_, j) => j !== i))
  }

  moveLayer(i: number, by: number): void {
    this.editLayers((layers) => {
      const [layer] = layers.splice(i, 1)
      layers.splice(Math.max(0, Math.min(layers.length, i + by)), 0, layer)
      return layers
    })
  }

  /** one argument of one layer; undefined clears an optional width (Linear's out_features: from the data) */
  setLayerArg(i: number, key: string, value: number | boolean | undefined): void {
    this.editLayers((layers) => layers.map((l, j) => (j === i ? ({ ...l, [key]: value } as LayerSpec) : l)))
  }

  /** another kind in the same place, with that kind's defaults */
  setLayerKind(i: number, kind: LayerKind): void {
    this.editLayers((layers) => layers.map((l, j) => (j === i ? defaultLayer(kind) : l)))
  }

  async start(): Promise<void> {
    host.onClosed?.((error) => (this.connectionLost = error.message))
    this.backend = await lab.getBackend().catch(() => null)
    this.datasets = await lab.listDatasets()
    lab.onEvent((event) => this.onEvent(event))
    const settings = await lab.getSettings()
    let last = settings.lastDataset
    if (last) this.source = last.source
    let shown = await this.loadPreview()
    if (shown && last && this.dataError?.code === 'FILE_NOT_FOUND') {
      // most often an upload: its temporary copy went when the lab stopped, and its path would mean nothing to the student
      last = undefined
      this.source = { kind: 'bundled', name: COURSE.dataset }
      shown = await this.loadPreview()
      if (shown) this.dataNote = 'The file you trained on last is no longer there (an uploaded file lasts only while the lab runs), so the course’s data is open: upload or open your file again to go on with it.'
    }
    if (shown && last && this.preview) {
      this.applyRoles(last.features, last.target)
      this.usePrep(last)
    }
    if (settings.lastModel) this.arch = settings.lastModel
    if (settings.lastTrain) this.useTrain(settings.lastTrain)
    if (settings.lastEngine) this.engine = settings.lastEngine
    if (settings.lastPace !== undefined) this.pace = settings.lastPace
    await this.prepare()
    // the window opens whatever becomes of this: a run it cannot take up is a sentence in Train, not a blank window
    await this.resumeRuns(false).catch((err: unknown) => (this.trainError = messageOf(err)))
  }

  /**
   * The course preset: the lecture's model and every setting that changes its numbers (not
   * just the optimizer), whatever the last session left behind. The data set stays the student's.
   */
  async applyCoursePreset(): Promise<void> {
    const train = trainConfigSchema.parse({ loss: COURSE.loss, optimizer: optimizerStart(COURSE.optimizer), epochs: COURSE.epochs, batchSize: COURSE.batchSize, shuffle: COURSE.shuffle, dropLast: COURSE.dropLast, seed: COURSE.seed })
    this.applyLecture({ kind: 'linear' }, train, COURSE.prep)
    await this.prepare()
  }

  /**
   * Every setting a lecture (the course's, or a lesson's setup) fixes, whatever the student set
   * before: the model, the loss with its arguments, the optimizer, epochs, batches and seed, how
   * the data is prepared and split, the course's pace, and torch's initial weights rather than a
   * file's. The data set itself is the caller's to open.
   */
  applyLecture(model: ModelArch, train: TrainConfig, prep: DataPrep): void {
    // the student's layer list comes back when they choose nn.Sequential again
    if (this.arch.kind === 'sequential') this.layers = $state.snapshot(this.arch.layers) as LayerSpec[]
    this.arch = model
    this.useTrain(train)
    this.usePrep(prep)
    this.pace = COURSE.pace
    this.startFrom(null)
  }

  /** The weights the next run starts from (a .pth file and its state_dict's key), or null for PyTorch's init; a note on another file's optimizer no longer applies. */
  startFrom(path: string | null, key?: string): void {
    this.initFrom = path
    this.initKey = path === null ? undefined : key
    this.optimizerNote = null
  }

  /**
   * The next run starts from a file's weights, with the model they fit. A TorchLab checkpoint
   * brings back its run as torch resumes one: its data, loss, optimizer and training settings too
   * (the loss left from other data put a regression target under CrossEntropyLoss).
   */
  async trainFrom(info: CheckpointInfo): Promise<void> {
    if (!info.model) return
    this.arch = info.model.kind === 'linear' ? { kind: 'linear' } : { kind: 'sequential', layers: info.model.layers }
    this.startFrom(info.path, info.key)
    if (!info.torchlab) return
    this.useTrain(info.torchlab.train)
    if (await this.openDataset(info.torchlab.dataset)) await this.prepare()
  }

  /** Reset to the lecture: cars.csv, wt → mpg, and the course preset. */
  async resetToLecture(): Promise<void> {
    this.source = { kind: 'bundled', name: COURSE.dataset }
    this.parse = parseOptionsSchema.parse({})
    if (await this.loadPreview()) this.applyRoles([...COURSE.features], COURSE.target)
    await this.applyCoursePreset()
  }

  /** how the data is prepared and split, as a whole: a field left behind would change the rows a run trains on */
  private usePrep(prep: DataPrep): void {
    this.missing = prep.missing
    this.scale = prep.scale
    this.valSplit = prep.valSplit
    this.splitSeed = prep.splitSeed
  }

  /** training settings as a whole: the last run's as the student left them, or a lecture's */
  private useTrain(t: TrainConfig): void {
    this.loss = t.loss
    this.lossArgs = { huberDelta: t.huberDelta, smoothL1Beta: t.smoothL1Beta }
    this.epochs = t.epochs
    this.batchSize = t.batchSize
    this.shuffle = t.shuffle
    this.dropLast = t.dropLast
    this.seed = t.seed
    this.optimizer = t.optimizer
  }

  /**
   * A file or bundled set chosen in the Data panel, with no roles yet. Another one than before is
   * read as its own (delimiter, header and decimal mark detected again): the last file's semicolon
   * would read a comma file as one column. The same one again keeps the options chosen for it.
   */
  async openSource(source: CsvSource): Promise<void> {
    if (!sameSource(source, this.source)) this.parse = parseOptionsSchema.parse({})
    this.source = source
    this.roles = {}
    this.chosenRoles = {}
    await this.loadPreview()
  }

  /** where the data requests stand: a request that waits on something else first (a lesson's file) opens its data only if none came since */
  dataMark(): number {
    return this.dataRequests.mark()
  }

  /**
   * A data set as a lesson or a checkpoint's record names it: read as it says (its own parse
   * options, not the last file's), with its roles, missing values, scaling and split. The caller
   * prepares it, once whatever else it sets (a lesson's loss) is in place. False, and nothing
   * changed, when the student chose other data since `mark` (dataMark()) or while it was read.
   */
  async openDataset(spec: DatasetSpec, mark = this.dataMark()): Promise<boolean> {
    if (!this.dataRequests.isLatest(mark)) return false
    this.source = spec.source
    this.parse = parseOptionsSchema.parse(spec.parse)
    if (!(await this.loadPreview())) return false
    this.applyRoles(spec.features, spec.target)
    this.usePrep(spec)
    return true
  }

  /** the path a CSV upload reaches the lab at, or null; a refused one says why where the data's errors show, and the data shown stays */
  async uploadCsv(file: DroppedFile): Promise<string | null> {
    try {
      return await this.uploads.pathOf(file)
    } catch (err) {
      this.dataError = errorInfo(err)
      return null
    }
  }

  /**
   * Parses the chosen source with the chosen options; roles survive where columns do. False when
   * other data was chosen before the answer came: that answer is not shown.
   */
  async loadPreview(): Promise<boolean> {
    const asked = this.dataRequests.next()
    this.dataNote = null
    try {
      const preview = await lab.inspectCsv($state.snapshot(this.source), $state.snapshot(this.parse))
      if (!this.dataRequests.isLatest(asked)) return false
      this.preview = preview
      this.dataError = null
      const bundled = this.source.kind === 'bundled' ? this.datasets.find((d) => d.name === (this.source as { name: string }).name) : undefined
      const known = this.preview.columns.every((c) => c.name in this.roles)
      if (!known) {
        if (bundled) this.applyRoles(bundled.suggestedFeatures, bundled.suggestedTarget)
        else this.roles = Object.fromEntries(this.preview.columns.map((c) => [c.name, this.chosenRoles[c.name] ?? 'ignore']))
      }
      if (bundled) {
        // a classification set gets the course's classifier loss; a regression set keeps a regression loss
        const classifier = bundled.task === 'classification'
        if (classifier || lossOf(this.loss).task !== 'regression') this.loss = suggestedLoss(classifier)
      }
      await this.prepare()
      // other data chosen while the summary was made: a caller must not put its roles on that data
      return this.dataRequests.isLatest(asked)
    } catch (err) {
      if (!this.dataRequests.isLatest(asked)) return false
      // the new file's error replaces everything the previous file showed
      this.preview = null
      this.summary = null
      this.summaryError = null
      this.dataError = errorInfo(err)
      return true
    }
  }

  applyRoles(features: string[], target: string): void {
    const roles: Record<string, Role> = {}
    for (const c of this.preview?.columns ?? []) roles[c.name] = c.name === target ? 'target' : features.includes(c.name) ? 'feature' : 'ignore'
    this.roles = roles
    this.chosenRoles = { ...roles }
  }

  setRole(column: string, role: Role): void {
    const roles = { ...this.roles }
    if (role === 'target') {
      for (const c of Object.keys(roles)) if (roles[c] === 'target') roles[c] = 'ignore'
      const kind = this.preview?.columns.find((c) => c.name === column)?.kind
      // a text column (a number column with a bad cell, or names) keeps the loss: the lab's sentence about its cells is what helps
      if (kind === 'numeric' || kind === 'categorical') this.loss = lossForTarget(kind === 'categorical', this.loss)
    }
    roles[column] = role
    this.roles = roles
    this.chosenRoles = { ...this.chosenRoles, ...roles }
    void this.prepare()
  }

  async prepare(): Promise<void> {
    const asked = this.summaryRequests.next()
    if (!this.target || this.features.length === 0) {
      this.summary = null
      this.summaryError = null
      return
    }
    try {
      const summary = await lab.prepareDataset(this.datasetSpec(), this.loss)
      if (!this.summaryRequests.isLatest(asked)) return
      this.summary = summary
      this.summaryError = null
    } catch (err) {
      if (!this.summaryRequests.isLatest(asked)) return
      this.summary = null
      this.summaryError = errorInfo(err)
    }
  }

  async train(): Promise<void> {
    const dataset = this.summary
    if (this.running || this.launching || !dataset) return
    // Ctrl+Enter reaches here with Start disabled: the Train panel already says why, beside Start, for as long as it holds
    // the model as the lab builds it (its widths filled in from the data), as a reload names the run
    const model = this.resolvedModel.spec
    if (this.startProblem || !model) return
    this.trainError = null
    this.launching = true
    // what the run is, as the form says now: an edit while the lab starts it belongs to the next run
    const label = runLabel(this.sourceName(this.source), this.features, this.target ?? '', model, $state.snapshot(this.optimizer) as OptimizerSpec, this.batchSize, this.shuffle)
    const shown = { loss: this.loss, epochs: this.epochs, dataset, modelKind: this.arch.kind, valueNames: stateDictValueNames(model) }
    try {
      const { runId, optimizerNote } = await lab.startTraining({
        dataset: this.datasetSpec(),
        model: $state.snapshot(this.arch),
        train: this.trainConfig(),
        engine: this.engine,
        ...(this.pace !== null ? { pace: this.pace } : {}),
        ...(this.initFrom ? { initFrom: this.initFrom, ...(this.initKey !== undefined ? { initKey: this.initKey } : {}) } : {}),
      })
      this.optimizerNote = optimizerNote ?? null
      this.launching = false
      await this.watch(newRunView(runId, label, shown))
    } catch (err) {
      this.trainError = messageOf(err)
    } finally {
      this.launching = false
    }
  }

  /**
   * Takes up the runs the lab keeps, as the window that started them showed them: after a reload,
   * or in a second window, a run still training stays in reach of Pause and Stop, and a finished
   * one keeps its row, its metrics and its Save. `liveOnly`: a window already open takes up a run
   * another window starts, not the finished runs the student forgot here.
   */
  private async resumeRuns(liveOnly: boolean): Promise<void> {
    const kept = await lab.listRuns()
    for (const r of kept) {
      // already shown: two calls whose answers cross take each run up once
      if (this.runs.some((shown) => shown.runId === r.runId) || (liveOnly && !isLive(r.status))) continue
      const d = r.dataset.spec
      const label = runLabel(this.sourceName(d.source), d.features, d.target, r.model, r.train.optimizer, r.train.batchSize, r.train.shuffle)
      void this.watch(newRunView(r.runId, label, { loss: r.train.loss, epochs: r.train.epochs, dataset: r.dataset, modelKind: r.model.kind, valueNames: stateDictValueNames(r.model) })).catch((err: unknown) => (this.trainError = messageOf(err)))
    }
  }

  /** shows a run as the current one and follows it to its end, then evaluates it */
  private async watch(view: RunView): Promise<void> {
    const { runId } = view
    this.runs = [...this.runs.slice(-(MAX_RUNS_SHOWN - 1)), view]
    this.currentId = runId
    await this.follow(runId)
    const summary = await lab.waitForRun(runId)
    this.update(runId, (r) => {
      r.summary = summary
      r.status = summary.status
      r.error = summary.divergence?.message ?? summary.error?.message
    })
    if (summary.status !== 'failed' && summary.epochsCompleted > 0) {
      const evaluation = await lab.evaluate(runId, summary.dataset.nVal > 0 ? 'validation' : 'train')
      this.update(runId, (r) => (r.evaluation = evaluation))
    } else {
      this.update(runId, (r) => (r.unmeasured = summary.status === 'failed' ? 'This run failed before it trained (the reason is in Train): there is no model to measure.' : `This run ${summary.status === 'diverged' ? 'diverged' : 'ended'} before its first epoch finished: there is no trained model to measure.`))
    }
  }

  /**
   * Pulls the run's snapshot until it ends: one request at a time, at most one a frame, so the
   * window shows the run as it is now and nothing piles up however fast it trains.
   */
  private async follow(runId: string): Promise<void> {
    for (;;) {
      const asked = performance.now()
      const snapshot = await this.pull(runId)
      if (!snapshot || snapshot.finished) return
      await new Promise((resolve) => requestAnimationFrame(resolve))
      const wait = PULL_MS - (performance.now() - asked)
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }

  /** one snapshot of the run, applied unless a newer one already was (answers can cross after a control) */
  private async pull(runId: string): Promise<RunSnapshot | undefined> {
    const view = this.runs.find((r) => r.runId === runId)
    if (!view) return undefined
    const snapshot = await lab.getRunSnapshot(runId, view.series?.cursor ?? { epochs: 0, steps: 0 })
    this.update(runId, (run) => {
      if (snapshot.seq < run.seq) return
      // a paused run answers with the report it answered last: its charts are not redrawn for nothing
      if (snapshot.seq > run.seq || !run.series) {
        run.series ??= new RunSeries(snapshot.layout)
        run.series.apply(snapshot)
        run.version++
        run.trainLoss = snapshot.trainLoss
        run.params = snapshot.params
      }
      run.seq = snapshot.seq
      run.status = snapshot.status
      run.epoch = snapshot.epoch
      run.step = snapshot.step
      run.totalSteps = snapshot.totalSteps
      run.stepsPerEpoch = snapshot.stepsPerEpoch
      run.elapsed = snapshot.elapsedSeconds
    })
    return snapshot
  }

  private update(runId: string, change: (run: RunView) => void): void {
    const run = this.runs.find((r) => r.runId === runId)
    if (run) change(run)
  }

  private onEvent(event: LabEvent): void {
    if (event.type === 'search-progress' || event.type === 'search-finished') this.searchListeners.forEach((listener) => listener(event))
    // a run another window started: an idle window takes it up, so it is not started twice over; a window with a run of its own keeps showing that one
    else if (event.type === 'status' && isLive(event.status) && !this.running && !this.launching && !this.runs.some((r) => r.runId === event.runId)) {
      void this.resumeRuns(true).catch((err: unknown) => (this.trainError = messageOf(err)))
    }
  }

  async control(action: 'pause' | 'resume' | 'step' | 'stop'): Promise<void> {
    const run = this.current
    if (!run) return
    try {
      // the lab answers once the worker has acted; show where it acted at once, not at the next frame's pull
      await lab.controlRun({ runId: run.runId, action })
      await this.pull(run.runId)
    } catch (err) {
      this.trainError = messageOf(err)
    }
  }

  /** the run the Train and Evaluate panels show */
  selectRun(runId: string): void {
    if (!this.running) this.currentId = runId
  }

  /**
   * Forgets a finished run in this window (the lab keeps nothing to delete: its files are the
   * student's). The run still training cannot be forgotten; stop it first.
   */
  forgetRun(runId: string): void {
    const run = this.runs.find((r) => r.runId === runId)
    if (!run || (run.runId === this.currentId && this.running)) return
    this.runs = this.runs.filter((r) => r.runId !== runId)
    if (this.currentId === runId) this.currentId = this.runs.at(-1)?.runId ?? null
  }

  togglePause(): void {
    const status = this.current?.status
    // a run still starting (its worker loading the data) pauses before its first step
    if (status === 'running' || status === 'starting') void this.control('pause')
    else if (status === 'paused') void this.control('resume')
  }

  /** puts a file first in the Recent list; the list after */
  async rememberFile(path: string): Promise<string[]> {
    const { recentFiles } = await lab.getSettings()
    // an upload's temporary copy is gone when the lab stops: a Recent entry for it would lead nowhere
    if (this.uploads.isUpload(path)) return recentFiles
    return (await lab.updateSettings({ recentFiles: [path, ...recentFiles.filter((p) => p !== path)].slice(0, 10) })).recentFiles
  }

  /** a file that is no longer there leaves the Recent list once opening it has said so (another click would only say it again); the list after */
  async forgetIfGone(path: string, err: unknown): Promise<string[]> {
    const { recentFiles } = await lab.getSettings()
    if (!(err instanceof LabError) || err.info.code !== 'FILE_NOT_FOUND' || !recentFiles.includes(path)) return recentFiles
    return (await lab.updateSettings({ recentFiles: recentFiles.filter((p) => p !== path) })).recentFiles
  }
}

export const app = new LabState()
