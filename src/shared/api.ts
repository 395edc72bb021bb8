/**
 * The LabApi contract: every operation a front door (Electron IPC, the browser bridge, the CLI)
 * may call on the LabService, with the zod schema of its arguments. Clients are generated from
 * LAB_METHODS, so adding an operation here is the only way to add one anywhere.
 */
import { z } from 'zod'
import type { LossTask } from './catalog/losses'
import type { LabErrorInfo } from './errors'
import type { SeriesDelta } from './series'
import {
  graphRequestSchema,
  stepRequestSchema,
  type GraphResult,
  type Lesson,
  type LessonCheckReport,
  type LessonInfo,
  type StepTrace,
} from './learning'
import { landscapeRequestSchema, type Landscape } from './landscape'
import {
  ACTIVATIONS,
  LOSSES,
  csvSourceSchema,
  datasetSpecSchema,
  filePathSchema,
  modelSpecSchema,
  trainConfigSchema,
  parseOptionsSchema,
  runControlSchema,
  searchConfigSchema,
  settingsPatchSchema,
  trainRequestSchema,
  type BundledDatasetName,
  type DatasetSpec,
  type ModelSpec,
  type Scoring,
  type SearchConfig,
  type SearchParam,
  type SearchValue,
  type Settings,
  type StateDictJson,
  type TrainConfig,
} from './schemas'

/** tfjs's backends */
export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu'
/** what ran the dense engine's products and updates: its WebAssembly kernels, plain JavaScript loops, or some of each */
export type DenseBackendName = 'wasm' | 'js' | 'wasm+js'
export type BackendName = TfjsBackendName | DenseBackendName
export type EngineName = 'tfjs' | 'dense'

export interface BackendInfo {
  engine: EngineName
  backend: BackendName
  /** Backends that were tried and failed, with why, so the UI never claims one it did not run */
  unavailable: { backend: BackendName; reason: string }[]
}

export interface BundledDataset {
  name: BundledDatasetName
  title: string
  description: string
  suggestedFeatures: string[]
  suggestedTarget: string
  task: 'regression' | 'classification'
}

export type ColumnKind = 'numeric' | 'categorical' | 'text'

export interface ColumnSummary {
  name: string
  kind: ColumnKind
  missing: number
  /** numeric columns */
  min?: number
  max?: number
  mean?: number
  /** categorical columns: up to 50 distinct values */
  levels?: string[]
  /** the first cell that is not a number, at its line in the file */
  firstNonNumeric?: { line: number; value: string }
  /** why the column has its type, or what became of its cells, as a sentence for the student */
  note?: string
}

/** Something in the file that is refused until the student accepts the way on that the core offers. */
export interface CsvProblem {
  /** rows to skip, or cells to read as missing */
  count: number
  message: string
  /** true once the parse options accept it (badRows 'skip', badCells 'missing') */
  accepted: boolean
}

export interface CsvPreview {
  delimiter: string
  header: boolean
  /** the decimal mark the numbers were read with: the chosen one, or the detected one */
  decimal: '.' | ','
  rowCount: number
  columns: ColumnSummary[]
  /** the first rows as text, at most 20 */
  rows: string[][]
  /** what was detected or changed while reading, as sentences: the decimal mark, renamed duplicate names, unreadable bytes */
  notes: string[]
  /** rows that do not fit the header, and cells of number columns that hold no usable number */
  problems: { raggedRows?: CsvProblem; badCells?: CsvProblem }
}

export type Task = LossTask

export interface MissingReport {
  policy: 'drop' | 'mean'
  rowsDropped: number
  /** column -> number of values filled with the column mean (of the training split) */
  filled: Record<string, number>
  message: string
}

export interface ScalerStats {
  features: string[]
  mean: number[]
  std: number[]
}

export interface DatasetSummary {
  spec: DatasetSpec
  task: Task
  nTrain: number
  nVal: number
  features: string[]
  target: string
  /** class labels in index order, for classification */
  classes?: string[]
  missing: MissingReport
  scaler?: ScalerStats
  /** target against the first feature, in the file's units, downsampled for plotting */
  scatter: { feature: string; x: number[]; y: number[] }
}

/** A run as it starts. */
export interface RunStart {
  runId: string
  /** what became of the starting file's optimizer state, when it holds one: restored with the file's settings (as torch's load_state_dict does), or why not */
  optimizerNote?: string
}

export type RunStatus = 'starting' | 'running' | 'paused' | 'completed' | 'stopped' | 'diverged' | 'failed'

export interface Divergence {
  epoch: number
  step: number
  loss: number
  message: string
}

/**
 * Where a run is now. Coalesced: the main process sends it at most ~30 times a second per run
 * (for the CLI's progress bar), and the window pulls it inside a RunSnapshot instead.
 */
export interface RunProgress {
  runId: string
  status: RunStatus
  /** the last epoch finished */
  epoch: number
  step: number
  totalSteps: number
  stepsPerEpoch: number
  elapsedSeconds: number
  /** the last finished epoch's losses and (small models) flattened parameters */
  trainLoss?: number
  valLoss?: number
  params?: number[]
}

/** What a reader of a run's series already holds: the x of the last bucket of each (0 for none). */
export interface SeriesCursor {
  epochs: number
  steps: number
}

/**
 * A run as the window pulls it (at most once a frame, one request at a time, so nothing
 * queues): the latest state plus the decimated series past the reader's cursor.
 */
export interface RunSnapshot extends RunProgress {
  /** per epoch: train loss, then validation loss when there is a split, then each parameter when `parameters` > 0 */
  epochSeries: SeriesDelta
  /** mean batch loss per bucket of steps */
  stepSeries: SeriesDelta
  layout: SeriesLayout
  finished: boolean
  /** grows with every report of the run: of two answers that cross, the larger is the newer */
  seq: number
  divergence?: Divergence
}

export interface SeriesLayout {
  validation: boolean
  /** flattened parameters per epoch; 0 for models too large to plot them */
  parameters: number
}

export interface RunSummary {
  runId: string
  status: RunStatus
  engine: EngineName
  backend: BackendName
  model: ModelSpec
  train: TrainConfig
  dataset: DatasetSummary
  epochsCompleted: number
  steps: number
  stepsPerEpoch: number
  /** wall time of the training loop */
  seconds: number
  lossHistory: number[]
  valLossHistory: number[]
  finalLoss: number | null
  /** parameter names in state_dict order, with shapes; matches `params` in RunProgress */
  parameters: { name: string; shape: number[] }[]
  stateDict: StateDictJson
  divergence?: Divergence
  error?: LabErrorInfo
}

export type SearchStatus = 'running' | 'completed' | 'cancelled' | 'failed'

export interface SearchRow {
  index: number
  params: Partial<Record<SearchParam, SearchValue>>
  /** one per fold; null where the fold diverged or has not run */
  splitScores: (number | null)[]
  meanTestScore: number | null
  stdTestScore: number | null
  rankTestScore: number | null
  meanFitTime: number | null
  stdFitTime: number | null
  status: 'pending' | 'ok' | 'diverged'
  /** where the first diverging fold blew up */
  diverged?: { fold: number; epoch: number; message: string }
  /** mean loss per epoch of the first fold, for overlaying the best fits */
  lossCurve?: number[]
}

export interface SearchSummary {
  searchId: string
  status: SearchStatus
  scoring: Scoring
  cv: number
  fitsDone: number
  fitsTotal: number
  seconds: number
  rows: SearchRow[]
  /** the parameters that vary, in the order sklearn sorts them */
  varying: SearchParam[]
  bestIndex: number | null
  bestParams: SearchRow['params'] | null
  bestScore: number | null
  /** the best setting trained again on all rows */
  refit?: { stateDict: StateDictJson; lossHistory: number[] }
  error?: LabErrorInfo
}

/** A search the lab keeps, running or finished, as a window that did not start it takes it up: what was asked, and its results so far. */
export interface SearchInProgress {
  config: SearchConfig
  summary: SearchSummary
}

export type LabEvent =
  | { type: 'search-progress'; searchId: string; fitsDone: number; fitsTotal: number; row: SearchRow; bestParams: SearchRow['params'] | null; bestScore: number | null }
  | { type: 'search-finished'; searchId: string; summary: SearchSummary }
  | ({ type: 'progress' } & RunProgress)
  | { type: 'status'; runId: string; status: RunStatus }
  /** the summary (histories, weights) is a waitForRun or getRun away: events stay small */
  | { type: 'finished'; runId: string; status: RunStatus }

export interface RegressionMetrics {
  r2: number
  mse: number
  mae: number
}

export interface ClassificationMetrics {
  accuracy: number
  classes: string[]
  /** confusion[true][predicted] */
  confusion: number[][]
}

export interface LeastSquares {
  /** per feature, in the order of the dataset's features */
  coef: number[]
  intercept: number
  metrics: RegressionMetrics
}

export interface Evaluation {
  runId: string
  split: 'train' | 'validation'
  task: Task
  regression?: RegressionMetrics
  classification?: ClassificationMetrics
  /** closed-form least squares on the same (scaled) training data, for regression */
  ols?: LeastSquares
  /** points for the fitted-line / predicted-vs-actual plot (downsampled) */
  points: { x: number[]; actual: number[]; predicted: number[] }
}

export interface TensorInfo {
  key: string
  dtype: string
  shape: number[]
  numel: number
  /** the first values (all with `values: true` up to 10,000), as torch prints them */
  values?: number[]
}

/** What TorchLab stores beside the weights in a checkpoint it writes, so reopening restores the session. */
export const torchlabMetaSchema = z.strictObject({
  version: z.literal(1),
  model: modelSpecSchema,
  dataset: datasetSpecSchema,
  task: z.enum(['regression', 'binary', 'multiclass']),
  classes: z.array(z.string()).optional(),
  scaler: z.strictObject({ features: z.array(z.string()), mean: z.array(z.number()), std: z.array(z.number()) }).optional(),
  train: trainConfigSchema,
  /**
   * where the run's weights started, when not at TorchLab's seeded init: a .pth file (its path, the
   * state_dict's key in it, its SHA-256 then) or weights given as JSON; export-py starts there
   */
  start: z.union([z.strictObject({ file: z.string(), key: z.string().optional(), sha256: z.string() }), z.strictObject({ weights: z.literal('json') })]).optional(),
  /** where a run that ended before its planned epochs stopped: whole epochs, then steps into the next; export-py stops there */
  stoppedAt: z.strictObject({ epochs: z.number().int().nonnegative(), steps: z.number().int().nonnegative() }).optional(),
})
export type TorchlabMeta = z.infer<typeof torchlabMetaSchema>

/** One value of what torch.load gives, in a tree listed depth-first. */
export interface ValueNode {
  /** keys and indices joined by dots, as state_dict names are: models.1.hidden1.weight; '' is the whole file */
  path: string
  /** its key or index in its parent (a state_dict key such as 0.weight holds dots of its own) */
  name: string
  depth: number
  /** dict, OrderedDict, list, tuple, set, tensor, int, float, bool, str, None, bytes, object, class, reference */
  type: string
  /** a container's size, a tensor's dtype and shape, a scalar as Python prints it */
  summary: string
  dtype?: string
  shape?: number[]
  /** a dict of tensors by name: weights a model can start from */
  stateDict?: true
}

export interface CheckpointInfo {
  path: string
  format: 'zip' | 'legacy'
  /** collection: a file of its own shape, whose weights (if any) are one of its state_dicts */
  kind: 'state_dict' | 'checkpoint' | 'module' | 'collection'
  tensors: TensorInfo[]
  /** classes of a pickled module (never run) */
  classNames: string[]
  /** the model these weights fit, or null with the reason in modelNote */
  model: ModelSpec | null
  modelNote: string
  epoch?: number
  loss?: number
  optimizer?: string
  torchlab?: TorchlabMeta
  otherKeys: string[]
  /** everything in the file, depth-first (the first 2,000 values) */
  tree: ValueNode[]
  /** values past those listed in tree */
  treeOmitted: number
  /** where the file holds state_dicts, and how many tensors each */
  stateDicts: { path: string; tensors: number }[]
  /** the state_dict the tensors and the model come from, when the file holds several or chose one */
  key?: string
}

export const saveRequestSchema = z.strictObject({
  runId: z.string().min(1),
  path: filePathSchema,
  kind: z.enum(['state_dict', 'checkpoint']).default('state_dict'),
})

/** `lab export-py`: the PyTorch script that rebuilds a .pth file's model (and, for a TorchLab checkpoint, its run) */
export const exportPythonRequestSchema = z.strictObject({
  checkpoint: filePathSchema,
  out: filePathSchema,
})

/** a search's cv_results_ as CSV */
export const exportSearchCsvRequestSchema = z.strictObject({
  searchId: z.string().min(1),
  path: filePathSchema,
})

/** a search as the skorch GridSearchCV script that runs it */
export const exportSearchPythonRequestSchema = z.strictObject({
  config: searchConfigSchema,
  path: filePathSchema,
})

const cursorX = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const seriesCursorSchema = z.strictObject({ epochs: cursorX, steps: cursorX })

/** `lab predict`: a saved model run in eval mode on the rows of a CSV. */
export const predictRequestSchema = z.strictObject({
  /** a .pth file: a TorchLab checkpoint brings its feature names, scaler and classes; a state_dict needs features */
  path: filePathSchema,
  data: csvSourceSchema,
  parse: parseOptionsSchema.prefault({}),
  features: z.array(z.string().min(1)).min(1).optional(),
  /** the activations between a plain state_dict's layers, which the file does not record */
  activations: z.array(z.enum(ACTIVATIONS)).optional(),
  /** also write the predictions as CSV here */
  out: filePathSchema.optional(),
})
export type PredictRequest = z.input<typeof predictRequestSchema>

export interface Predictions {
  features: string[]
  /** whether the checkpoint's standardisation was applied */
  scaled: boolean
  /** raw outputs, one row per CSV row */
  outputs: number[][]
  /** the class of each row, for a classifier saved by TorchLab */
  labels?: string[]
  written?: string
}

/** a positional argument that says what it is when it is left empty (a request object's fields are named by their keys) */
const named = (what: string) => z.string({ error: `${what} must be text.` }).min(1, `${what} is empty; give one.`)
const RUN_ID = named('The run id')
const SEARCH_ID = named('The search id')
const FILE_PATH = named('The file path').pipe(filePathSchema)
const LESSON = named('The lesson')

export const LAB_METHODS = {
  getBackend: z.tuple([]),
  listDatasets: z.tuple([]),
  inspectCsv: z.tuple([csvSourceSchema, parseOptionsSchema]),
  /** the loss decides the task (its catalogue entry): class labels for classification losses, numbers otherwise */
  prepareDataset: z.tuple([datasetSpecSchema, z.enum(LOSSES).optional()]),
  startTraining: z.tuple([trainRequestSchema]),
  controlRun: z.tuple([runControlSchema]),
  getRun: z.tuple([RUN_ID]),
  /** the runs the lab keeps, so a reloaded (or second) window takes them up: those going stay in reach, those finished keep their metrics and Save */
  listRuns: z.tuple([]),
  /** the window's pull: latest state and the series past the cursor */
  getRunSnapshot: z.tuple([RUN_ID, seriesCursorSchema.default({ epochs: 0, steps: 0 })]),
  waitForRun: z.tuple([RUN_ID]),
  evaluate: z.tuple([RUN_ID, z.enum(['train', 'validation'])]),
  openCheckpoint: z.tuple([
    FILE_PATH,
    /** key: the path of the state_dict to take the weights from (lab inspect --key models.1) */
    z.strictObject({ activations: z.array(z.enum(ACTIVATIONS)).optional(), values: z.boolean().optional(), key: z.string().optional() }).default({}),
  ]),
  saveRun: z.tuple([saveRequestSchema]),
  exportPython: z.tuple([exportPythonRequestSchema]),
  predict: z.tuple([predictRequestSchema]),
  startSearch: z.tuple([searchConfigSchema]),
  cancelSearch: z.tuple([SEARCH_ID]),
  waitForSearch: z.tuple([SEARCH_ID]),
  /** the searches the lab keeps, running or finished, so a reloaded (or second) window takes up the newest: one still running instead of starting another over it, one finished with its results */
  listSearches: z.tuple([]),
  exportSearchCsv: z.tuple([exportSearchCsvRequestSchema]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([settingsPatchSchema]),
  /** the learning lab: step a run batch by batch, its autograd graph, lessons, a search as skorch code */
  stepRun: z.tuple([stepRequestSchema]),
  getGraph: z.tuple([graphRequestSchema]),
  listLessons: z.tuple([]),
  /** a bundled lesson by its id */
  getLesson: z.tuple([LESSON]),
  /** a teacher's lesson file, checked against the lesson format */
  loadLessonFile: z.tuple([FILE_PATH]),
  /** a bundled lesson's id, or the path of a lesson file */
  checkLesson: z.tuple([LESSON]),
  /** a reloaded window shows the check still running (its Checking…), and joins it rather than start a second */
  lessonCheckRunning: z.tuple([]),
  exportSearchPython: z.tuple([exportSearchPythonRequestSchema]),
  /** MSELoss over a grid of (w, b) for one-feature linear regression, with the least-squares minimum */
  getLandscape: z.tuple([landscapeRequestSchema]),
} as const

export type LabMethod = keyof typeof LAB_METHODS
type Args<M extends LabMethod> = z.input<(typeof LAB_METHODS)[M]>

export interface LabApi {
  getBackend(...a: Args<'getBackend'>): Promise<BackendInfo>
  listDatasets(...a: Args<'listDatasets'>): Promise<BundledDataset[]>
  inspectCsv(...a: Args<'inspectCsv'>): Promise<CsvPreview>
  prepareDataset(...a: Args<'prepareDataset'>): Promise<DatasetSummary>
  startTraining(...a: Args<'startTraining'>): Promise<RunStart>
  controlRun(...a: Args<'controlRun'>): Promise<{ status: RunStatus }>
  getRun(...a: Args<'getRun'>): Promise<RunSummary>
  /** the runs the lab keeps (the last ones started, those still going, finished ones it has not let go), oldest first; not a lesson check's */
  listRuns(...a: Args<'listRuns'>): Promise<RunSummary[]>
  getRunSnapshot(...a: Args<'getRunSnapshot'>): Promise<RunSnapshot>
  waitForRun(...a: Args<'waitForRun'>): Promise<RunSummary>
  evaluate(...a: Args<'evaluate'>): Promise<Evaluation>
  openCheckpoint(...a: Args<'openCheckpoint'>): Promise<CheckpointInfo>
  saveRun(...a: Args<'saveRun'>): Promise<{ path: string; bytes: number }>
  /** written: the state_dicts the script loads, when TorchLab wrote them beside it */
  exportPython(...a: Args<'exportPython'>): Promise<{ path: string; written?: string[] }>
  predict(...a: Args<'predict'>): Promise<Predictions>
  startSearch(...a: Args<'startSearch'>): Promise<{ searchId: string; fitsTotal: number }>
  cancelSearch(...a: Args<'cancelSearch'>): Promise<SearchSummary>
  waitForSearch(...a: Args<'waitForSearch'>): Promise<SearchSummary>
  /** the searches the lab keeps (not a lesson check's), running or finished, oldest first */
  listSearches(...a: Args<'listSearches'>): Promise<SearchInProgress[]>
  exportSearchCsv(...a: Args<'exportSearchCsv'>): Promise<{ path: string }>
  getSettings(...a: Args<'getSettings'>): Promise<Settings>
  updateSettings(...a: Args<'updateSettings'>): Promise<Settings>
  stepRun(...a: Args<'stepRun'>): Promise<StepTrace>
  getGraph(...a: Args<'getGraph'>): Promise<GraphResult>
  listLessons(...a: Args<'listLessons'>): Promise<LessonInfo[]>
  getLesson(...a: Args<'getLesson'>): Promise<Lesson>
  loadLessonFile(...a: Args<'loadLessonFile'>): Promise<Lesson>
  checkLesson(...a: Args<'checkLesson'>): Promise<LessonCheckReport>
  /** the lesson whose check is running (its id, or its file's path, as it was asked for), or null */
  lessonCheckRunning(...a: Args<'lessonCheckRunning'>): Promise<string | null>
  exportSearchPython(...a: Args<'exportSearchPython'>): Promise<{ path: string }>
  getLandscape(...a: Args<'getLandscape'>): Promise<Landscape>
}

/** A front door's view of the lab: the operations plus the event stream. */
export interface LabClient extends LabApi {
  onEvent(listener: (event: LabEvent) => void): () => void
}

// Compile-time check that the interface and the method table list the same operations.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
export const contractIsComplete: Same<keyof LabApi, LabMethod> = true
