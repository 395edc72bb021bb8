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
  RunStatus,
  RunSummary,
} from '../../../shared/api'
import { LabError, type LabErrorInfo } from '../../../shared/errors'
import type {
  CsvSource,
  EngineChoice,
  DatasetSpecInput,
  LayerKind,
  LayerSpec,
  LossName,
  ModelArch,
  OptimizerName,
  OptimizerSpec,
  ParseOptions,
  TrainConfig,
  TrainConfigInput,
} from '../../../shared/schemas'
import { COURSE } from '../../../shared/catalog/course'
import { lossOf, suggestedLoss, type LossArgs } from '../../../shared/catalog/losses'
import { optimizerStart } from '../../../shared/catalog/optimizers'
import { defaultLayer } from '../../../shared/layers'
import { mlpLayers } from '../../../shared/modelSpec'
import { lab, messageOf } from './lab'

export type Role = 'feature' | 'target' | 'ignore'

/** the chosen optimizer's fields, as its catalogue entry lists them */
export type OptimizerFields = OptimizerSpec

export interface RunView {
  runId: string
  label: string
  status: RunStatus
  loss: number[]
  valLoss: number[]
  /** flattened parameters per epoch (small models) */
  params: number[][]
  /** mean batch loss of each progress event, at its fractional epoch: the live curve within long epochs */
  batchLoss: { x: number[]; y: number[] }
  epoch: number
  step: number
  totalSteps: number
  elapsed: number
  summary?: RunSummary
  evaluation?: Evaluation
  error?: string
}

const MAX_RUNS_SHOWN = 6
const MAX_BATCH_POINTS = 2000

/** the layer list a new nn.Sequential starts from: the MLP shorthand's */
const STARTING_LAYERS = mlpLayers([COURSE.hidden[0]], COURSE.hiddenActivation)

export function errorInfo(err: unknown): LabErrorInfo {
  return err instanceof LabError ? err.info : { code: 'INTERNAL', message: messageOf(err) }
}

class LabState {
  backend = $state<BackendInfo | null>(null)
  datasets = $state<BundledDataset[]>([])

  source = $state<CsvSource>({ kind: 'bundled', name: 'cars' })
  parse = $state<ParseOptions>({ delimiter: '', header: 'auto', decimal: '.', encoding: 'utf-8' })
  preview = $state<CsvPreview | null>(null)
  dataError = $state<LabErrorInfo | null>(null)
  roles = $state<Record<string, Role>>({})
  missing = $state<'drop' | 'mean'>('drop')
  scale = $state<'none' | 'standard'>('none')
  valSplit = $state(0)
  splitSeed = $state(0)
  summary = $state<DatasetSummary | null>(null)
  summaryError = $state<LabErrorInfo | null>(null)

  arch = $state<ModelArch>({ kind: 'linear' })
  /** the layer list kept while the course's linear model is chosen, so switching back restores it */
  private layers: LayerSpec[] = STARTING_LAYERS
  loss = $state<LossName>('MSELoss')
  lossArgs = $state<LossArgs>({ huberDelta: 1, smoothL1Beta: 1 })
  optimizer = $state<OptimizerFields>(optimizerStart(COURSE.optimizer))
  epochs = $state<number>(COURSE.epochs)
  batchSize = $state<number>(COURSE.batchSize)
  shuffle = $state<boolean>(COURSE.shuffle)
  seed = $state(0)
  engine = $state<EngineChoice>('auto')
  /** a .pth to start the next run from */
  initFrom = $state<string | null>(null)

  runs = $state<RunView[]>([])
  currentId = $state<string | null>(null)
  trainError = $state<string | null>(null)
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

  get running(): boolean {
    const status = this.current?.status
    return status === 'starting' || status === 'running' || status === 'paused'
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
    return { loss: this.loss, ...this.lossArgs, optimizer, epochs: this.epochs, batchSize: this.batchSize, shuffle: this.shuffle, seed: this.seed }
  }

  /** a new optimizer starts from its suggested learning rate and torch's defaults */
  chooseOptimizer(name: OptimizerName): void {
    this.optimizer = optimizerStart(name)
  }

  /** the course's LinearRegressionTorch with the lecture's settings, or the layer list */
  chooseModel(kind: ModelArch['kind']): void {
    if (kind === 'linear') {
      if (this.arch.kind === 'sequential') this.layers = $state.snapshot(this.arch.layers) as LayerSpec[]
      this.arch = { kind: 'linear' }
      this.optimizer = optimizerStart(COURSE.optimizer)
      this.batchSize = COURSE.batchSize
      this.epochs = COURSE.epochs
    } else if (this.arch.kind !== 'sequential') {
      this.arch = { kind: 'sequential', layers: this.layers }
    }
  }

  private editLayers(change: (layers: LayerSpec[]) => LayerSpec[]): void {
    if (this.arch.kind === 'sequential') this.arch = { kind: 'sequential', layers: change([...this.arch.layers]) }
  }

  /** a layer of this kind with torch's defaults, before position `at` (the end when absent) */
  addLayer(kind: LayerKind, at?: number): void {
    this.editLayers((layers) => {
      layers.splice(at ?? layers.length, 0, defaultLayer(kind))
      return layers
    })
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
    this.backend = await lab.getBackend().catch(() => null)
    this.datasets = await lab.listDatasets()
    lab.onEvent((event) => this.onEvent(event))
    const settings = await lab.getSettings()
    if (settings.lastDataset) this.source = settings.lastDataset.source
    await this.loadPreview()
    if (settings.lastDataset && this.preview) {
      this.applyRoles(settings.lastDataset.features, settings.lastDataset.target)
      this.scale = settings.lastDataset.scale
      this.valSplit = settings.lastDataset.valSplit
    }
    if (settings.lastModel) this.arch = settings.lastModel
    if (settings.lastTrain) this.restoreTrain(settings.lastTrain)
    await this.prepare()
  }

  /** the last run's hyperparameters, as the student left them */
  private restoreTrain(t: TrainConfig): void {
    this.loss = t.loss
    this.lossArgs = { huberDelta: t.huberDelta, smoothL1Beta: t.smoothL1Beta }
    this.epochs = t.epochs
    this.batchSize = t.batchSize
    this.shuffle = t.shuffle
    this.seed = t.seed
    this.optimizer = t.optimizer
  }

  /** Parses the chosen source with the chosen options; roles survive where columns do. */
  async loadPreview(): Promise<void> {
    try {
      this.preview = await lab.inspectCsv($state.snapshot(this.source), $state.snapshot(this.parse))
      this.dataError = null
      const bundled = this.source.kind === 'bundled' ? this.datasets.find((d) => d.name === (this.source as { name: string }).name) : undefined
      const known = this.preview.columns.every((c) => c.name in this.roles)
      if (!known) {
        if (bundled) this.applyRoles(bundled.suggestedFeatures, bundled.suggestedTarget)
        else this.applyRoles([], '')
      }
      if (bundled) {
        // a classification set gets the course's classifier loss; a regression set keeps a regression loss
        const classifier = bundled.task === 'classification'
        if (classifier || lossOf(this.loss).task !== 'regression') this.loss = suggestedLoss(classifier)
      }
      await this.prepare()
    } catch (err) {
      this.preview = null
      this.summary = null
      this.dataError = errorInfo(err)
    }
  }

  applyRoles(features: string[], target: string): void {
    const roles: Record<string, Role> = {}
    for (const c of this.preview?.columns ?? []) roles[c.name] = c.name === target ? 'target' : features.includes(c.name) ? 'feature' : 'ignore'
    this.roles = roles
  }

  setRole(column: string, role: Role): void {
    const roles = { ...this.roles }
    if (role === 'target') for (const c of Object.keys(roles)) if (roles[c] === 'target') roles[c] = 'ignore'
    roles[column] = role
    this.roles = roles
    void this.prepare()
  }

  async prepare(): Promise<void> {
    if (!this.target || this.features.length === 0) {
      this.summary = null
      this.summaryError = null
      return
    }
    try {
      this.summary = await lab.prepareDataset(this.datasetSpec(), this.loss)
      this.summaryError = null
    } catch (err) {
      this.summary = null
      this.summaryError = errorInfo(err)
    }
  }

  async train(): Promise<void> {
    if (this.running) return
    this.trainError = null
    try {
      const { runId } = await lab.startTraining({
        dataset: this.datasetSpec(),
        model: $state.snapshot(this.arch),
        train: this.trainConfig(),
        engine: this.engine,
        ...(this.initFrom ? { initFrom: this.initFrom } : {}),
      })
      const o = this.optimizer
      this.runs = [
        ...this.runs.slice(-(MAX_RUNS_SHOWN - 1)),
        {
          runId,
          label: `${o.name} lr ${o.lr}, batch ${this.batchSize}`,
          status: 'starting',
          loss: [],
          valLoss: [],
          params: [],
          batchLoss: { x: [], y: [] },
          epoch: 0,
          step: 0,
          totalSteps: 0,
          elapsed: 0,
        },
      ]
      this.currentId = runId
      const summary = await lab.waitForRun(runId)
      this.update(runId, (r) => {
        r.summary = summary
        r.status = summary.status
        r.loss = summary.lossHistory
        r.valLoss = summary.valLossHistory
        r.error = summary.divergence?.message ?? summary.error?.message
      })
      if (summary.status !== 'failed' && summary.epochsCompleted > 0) {
        const evaluation = await lab.evaluate(runId, summary.dataset.nVal > 0 ? 'validation' : 'train')
        this.update(runId, (r) => (r.evaluation = evaluation))
      }
    } catch (err) {
      this.trainError = messageOf(err)
    }
  }

  private update(runId: string, change: (run: RunView) => void): void {
    const run = this.runs.find((r) => r.runId === runId)
    if (run) change(run)
  }

  private onEvent(event: LabEvent): void {
    if (event.type === 'search-progress' || event.type === 'search-finished') {
      this.searchListeners.forEach((listener) => listener(event))
      return
    }
    this.update(event.runId, (run) => {
      if (event.type === 'status') run.status = event.status
      if (event.type !== 'progress') return
      run.status = event.status
      run.epoch = event.epoch
      run.step = event.step
      run.totalSteps = event.totalSteps
      run.elapsed = event.elapsedSeconds
      if (event.stepLosses.length && event.totalSteps > 0) {
        const perEpoch = event.totalSteps / this.epochs
        run.batchLoss.x.push(event.step / perEpoch)
        run.batchLoss.y.push(event.stepLosses.reduce((a, b) => a + b, 0) / event.stepLosses.length)
        if (run.batchLoss.x.length > MAX_BATCH_POINTS) {
          // keep every other point: the curve keeps its shape and the plot stays cheap
          run.batchLoss.x = run.batchLoss.x.filter((_, i) => i % 2 === 0)
          run.batchLoss.y = run.batchLoss.y.filter((_, i) => i % 2 === 0)
        }
      }
      if (event.epochs.length) {
        run.loss.push(...event.epochs.map((e) => e.trainLoss))
        run.valLoss.push(...event.epochs.flatMap((e) => (e.valLoss === undefined ? [] : [e.valLoss])))
        run.params.push(...event.epochs.flatMap((e) => (e.params ? [e.params] : [])))
      }
    })
  }

  async control(action: 'pause' | 'resume' | 'step' | 'stop'): Promise<void> {
    const run = this.current
    if (!run) return
    try {
      await lab.controlRun({ runId: run.runId, action })
    } catch (err) {
      this.trainError = messageOf(err)
    }
  }

  togglePause(): void {
    const status = this.current?.status
    if (status === 'running') void this.control('pause')
    else if (status === 'paused') void this.control('resume')
  }

  async rememberFile(path: string): Promise<void> {
    const settings = await lab.getSettings()
    await lab.updateSettings({ recentFiles: [path, ...settings.recentFiles.filter((p) => p !== path)].slice(0, 10) })
  }
}

export const app = new LabState()
