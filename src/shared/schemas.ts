/**
 * What crosses a process boundary is validated with these schemas; the types are derived
 * from them so a spec cannot mean one thing in main and another in the renderer.
 * Names follow PyTorch (nn.ReLU, nn.MSELoss, torch.optim.SGD) so a student recognises them.
 */
import { z } from 'zod'
import { ACTIVATIONS, activationLayer } from './catalog/activations'
import { LOSSES, lossArgsShape, SCORINGS } from './catalog/losses'
import { optimizerSpecSchema } from './catalog/optimizers'
import { layerSpecSchema, type LayerSpec } from './layers'

export const BUNDLED_DATASETS = ['cars', 'iris', 'diabetes', 'wine'] as const
export const ENGINES = ['auto', 'dense', 'tfjs'] as const
export type EngineChoice = (typeof ENGINES)[number]

export type BundledDatasetName = (typeof BUNDLED_DATASETS)[number]
export { ACTIVATIONS, type ActivationName as Activation, type ActivationLayer } from './catalog/activations'
export { LOSSES, SCORINGS, type LossName, type Scoring } from './catalog/losses'
export { OPTIMIZERS, optimizerSpecSchema, type OptimizerName, type OptimizerSpec } from './catalog/optimizers'
export { layerSpecSchema, type LayerSpec, type LayerSpecInput, type LayerKind } from './layers'

const finite = z.number().finite()

/** a file's path: not empty, and without the NUL character, which no file's name can hold (the system would refuse it in words meant for programmers) */
export const filePathSchema = z.string().min(1).refine((path) => !path.includes('\0'), 'A file path cannot hold the NUL character (\\0): no file has such a name.')

const seed = z.number().int().min(0).max(2 ** 31 - 1)

export const csvSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bundled'), name: z.enum(BUNDLED_DATASETS) }),
  z.strictObject({ kind: z.literal('file'), path: filePathSchema }),
])
export type CsvSource = z.infer<typeof csvSourceSchema>

/** whether two sources name the same file or bundled set */
export function sameSource(a: CsvSource, b: CsvSource): boolean {
  return a.kind === 'bundled' ? b.kind === 'bundled' && a.name === b.name : b.kind === 'file' && a.path === b.path
}

export const parseOptionsSchema = z.strictObject({
  /** empty: detect among , ; tab | */
  delimiter: z.enum(['', ',', ';', '\t', '|']).default(''),
  header: z.enum(['auto', 'yes', 'no']).default('auto'),
  /** empty: detect from the cells (2,62 against 2.62) */
  decimal: z.enum(['', '.', ',']).default(''),
  /** a byte order mark, or UTF-16's zero bytes, overrides this */
  encoding: z.enum(['utf-8', 'windows-1252', 'utf-16le', 'utf-16be']).default('utf-8'),
  /** rows whose number of values differs from the header's: refused (naming the line) or left out */
  badRows: z.enum(['refuse', 'skip']).default('refuse'),
  /** cells that hold no usable number in a column of numbers: refused where the column is used, or read as missing */
  badCells: z.enum(['refuse', 'missing']).default('refuse'),
})
export type ParseOptions = z.infer<typeof parseOptionsSchema>
export type ParseOptionsInput = z.input<typeof parseOptionsSchema>

export const datasetSpecSchema = z.strictObject({
  source: csvSourceSchema,
  parse: parseOptionsSchema.prefault({}),
  features: z.array(z.string().min(1)).min(1, 'Choose at least one feature column.'),
  target: z.string().min(1, 'Choose a target column.'),
  missing: z.enum(['drop', 'mean']).default('drop'),
  scale: z.enum(['none', 'standard']).default('none'),
  valSplit: finite.min(0).max(0.9).default(0),
  splitSeed: seed.default(0),
})
export type DatasetSpec = z.infer<typeof datasetSpecSchema>
export type DatasetSpecInput = z.input<typeof datasetSpecSchema>

/** The shape settings and checkpoints had before layer lists: Linear + activation pairs. */
export const hiddenLayerSchema = z.strictObject({
  units: z.number().int().min(1).max(4096),
  activation: z.enum(ACTIVATIONS),
})
export type HiddenLayer = z.infer<typeof hiddenLayerSchema>

const layerList = z.array(layerSpecSchema).min(1, 'A model needs at least one layer.').max(64, 'TorchLab builds models of up to 64 layers.')
const hasLinear = (m: { kind: string; layers?: LayerSpec[] }) => m.kind !== 'sequential' || m.layers!.some((l) => l.kind === 'Linear')
const NEEDS_LINEAR = { message: 'A model needs at least one Linear layer.', path: ['layers'] }

function hiddenToLayers(hidden: HiddenLayer[], out: number | undefined): LayerSpec[] {
  return [
    ...hidden.flatMap((h) => [layerSpecSchema.parse({ kind: 'Linear', outFeatures: h.units }), activationLayer(h.activation)]),
    layerSpecSchema.parse({ kind: 'Linear', outFeatures: out }),
  ]
}

/**
 * Settings written before layer lists ({kind: 'mlp', hidden}) read as the same nn.Sequential;
 * its sizes are kept where the model takes them (a checkpoint's), and left to the data where
 * it does not (an architecture).
 */
const migrateLegacy =
  (sizes: boolean) =>
  (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'mlp') return value
    const legacy = z.object({ kind: z.literal('mlp'), inFeatures: z.number().optional(), outFeatures: z.number().optional(), hidden: z.array(hiddenLayerSchema).min(1) }).safeParse(value)
    if (!legacy.success) return value
    const { inFeatures, outFeatures, hidden } = legacy.data
    return { kind: 'sequential', ...(sizes && inFeatures !== undefined ? { inFeatures, outFeatures } : {}), layers: hiddenToLayers(hidden, outFeatures) }
  }

type LegacyArch = { kind: 'mlp'; hidden: HiddenLayer[] }

const modelArchCore = z
  .discriminatedUnion('kind', [z.strictObject({ kind: z.literal('linear') }), z.strictObject({ kind: z.literal('sequential'), layers: layerList })])
  .refine(hasLinear, NEEDS_LINEAR)

/**
 * The architecture a student picks: the course's LinearRegressionTorch, or an nn.Sequential of
 * layers whose sizes may be left to the data (a Linear without out_features gives the model's
 * outputs). Input and output sizes come from the data.
 */
export const modelArchSchema = z.preprocess(migrateLegacy(false), modelArchCore) as unknown as z.ZodType<z.output<typeof modelArchCore>, z.input<typeof modelArchCore> | LegacyArch>
export type ModelArch = z.output<typeof modelArchCore>
export type ModelArchInput = z.input<typeof modelArchCore>
/** the schema the window's builder checks, path by path */
export { modelArchCore as layerListSchema }

const modelSpecCore = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('linear'), inFeatures: z.number().int().min(1), outFeatures: z.number().int().min(1) }),
    z.strictObject({ kind: z.literal('sequential'), inFeatures: z.number().int().min(1), outFeatures: z.number().int().min(1), layers: layerList }),
  ])
  .refine(hasLinear, NEEDS_LINEAR)

/** A model with its sizes known: what runs, what is saved in a checkpoint's metadata. */
export const modelSpecSchema = z.preprocess(migrateLegacy(true), modelSpecCore) as unknown as z.ZodType<z.output<typeof modelSpecCore>, z.input<typeof modelSpecCore>>
export type ModelSpec = z.output<typeof modelSpecCore>

export const trainConfigSchema = z.strictObject({
  loss: z.enum(LOSSES).default('MSELoss'),
  /** HuberLoss's delta and SmoothL1Loss's beta */
  ...lossArgsShape,
  optimizer: optimizerSpecSchema,
  epochs: z.number().int().min(1, 'Epochs must be at least 1.').max(1_000_000),
  batchSize: z.number().int().min(1, 'Batch size must be at least 1.'),
  shuffle: z.boolean().default(false),
  dropLast: z.boolean().default(false),
  seed: seed.default(0),
})
export type TrainConfig = z.infer<typeof trainConfigSchema>
export type TrainConfigInput = z.input<typeof trainConfigSchema>

/** A named tensor as JSON: nested arrays in row-major order, as `tensor.tolist()` prints. */
export type NestedNumbers = number | NestedNumbers[]
export const stateDictJsonSchema = z.record(z.string(), z.any() as z.ZodType<NestedNumbers>)
export type StateDictJson = Record<string, NestedNumbers>

export const MAX_PACE = 1_000_000
const pace = z.number().int('The pace is a whole number of epochs per second.').min(1, 'The pace is at least 1 epoch per second.').max(MAX_PACE)

export const trainRequestSchema = z.strictObject({
  dataset: datasetSpecSchema,
  model: modelArchSchema,
  train: trainConfigSchema,
  init: stateDictJsonSchema.optional(),
  /** a .pth file to start from; a checkpoint also restores its optimizer state */
  initFrom: filePathSchema.optional(),
  /** the path of the state_dict in initFrom to start from, when the file holds several (models.1) */
  initKey: z.string().min(1).optional(),
  /** auto: the dense engine for every model it supports; tfjs on request */
  engine: z.enum(ENGINES).default('auto'),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** epochs per second, so a short run can be watched; absent: as fast as possible. It never changes the numbers. */
  pace: pace.optional(),
})
export type TrainRequest = z.infer<typeof trainRequestSchema>
export type TrainRequestInput = z.input<typeof trainRequestSchema>

export const runControlSchema = z.strictObject({
  runId: z.string().min(1),
  action: z.enum(['pause', 'resume', 'step', 'stop']),
})
export type RunControl = z.infer<typeof runControlSchema>

/** Hyperparameters a search may vary, by the names the CLI's --grid uses. */
export const SEARCH_PARAMS = ['lr', 'epochs', 'batch_size', 'optimizer', 'momentum', 'hidden', 'activation', 'loss'] as const
export type SearchParam = (typeof SEARCH_PARAMS)[number]

/** One value of a searched hyperparameter: numbers, names, or hidden sizes such as [16, 16] */
export const searchValueSchema = z.union([finite, z.string().min(1), z.array(z.number().int().min(1).max(4096)).max(16)])
export type SearchValue = z.infer<typeof searchValueSchema>

export const searchConfigSchema = z
  .strictObject({
    dataset: datasetSpecSchema,
    model: modelArchSchema,
    /** the base settings; a fit takes these and overrides what its grid point sets. Search defaults are skorch's: batch 128, shuffled. */
    train: trainConfigSchema.extend({ batchSize: z.number().int().min(1).default(128), shuffle: z.boolean().default(true) }),
    grid: z.partialRecord(z.enum(SEARCH_PARAMS), z.array(searchValueSchema).min(1).max(50)).default({}),
    /** random search instead of the full grid: n_iter settings drawn from the grid's values, lr log-uniform between its extremes */
    random: z.strictObject({ nIter: z.number().int().min(1).max(1000), seed: seed.default(0) }).optional(),
    cv: z.number().int().min(2).max(20).default(3),
    engine: z.enum(ENGINES).default('auto'),
    scoring: z.enum(SCORINGS).optional(),
    nJobs: z.number().int().min(1).max(64).optional(),
    refit: z.boolean().default(true),
  })
  .refine((c) => Object.keys(c.grid).length > 0, { message: 'Give at least one hyperparameter to search, for example lr=0.02,0.05,0.08.' })
  .superRefine((c, ctx) => {
    if (c.random) return
    const settings = gridSize(c.grid)
    if (settings > MAX_GRID_SETTINGS) {
      ctx.addIssue({
        code: 'custom',
        path: ['grid'],
        message: `This grid has ${settings.toLocaleString('en-US')} settings (${Object.entries(c.grid)
          .map(([key, values]) => `${values!.length} values of ${key}`)
          .join(' × ')}); TorchLab searches up to ${MAX_GRID_SETTINGS.toLocaleString('en-US')} settings at once. Give fewer values, or draw some of them with random settings.`,
      })
    }
  })
export type SearchConfig = z.infer<typeof searchConfigSchema>

/**
 * The most settings a full grid may have: each one is a fit per fold, and the whole grid is
 * listed before the first fit, so a grid of eight hyperparameters with 50 values each (about
 * 4·10^13 settings) would take the machine's memory before it could be refused.
 */
export const MAX_GRID_SETTINGS = 1000

/** how many settings a full grid has: the product of its value counts */
export function gridSize(grid: Partial<Record<SearchParam, readonly unknown[]>>): number {
  return Object.values(grid).reduce((n, values) => n * (values?.length ?? 1), 1)
}
export type SearchConfigInput = z.input<typeof searchConfigSchema>

/** Each setting on its own, so one stale or hand-edited entry is dropped without losing the others. */
export const settingFields = {
  lastDataset: datasetSpecSchema,
  lastModel: modelArchSchema,
  lastTrain: trainConfigSchema,
  lastEngine: z.enum(ENGINES),
  /** epochs per second; null for as fast as possible */
  lastPace: pace.nullable(),
  /** the search panel's grid and folds */
  lastSearch: z.strictObject({ grid: searchConfigSchema.shape.grid, cv: searchConfigSchema.shape.cv }),
  windowBounds: z.strictObject({ x: z.number().int(), y: z.number().int(), width: z.number().int().min(200), height: z.number().int().min(200) }),
  theme: z.enum(['system', 'light', 'dark']),
  recentFiles: z.array(z.string()).max(10),
  /** lessons a student has checked, by lesson id */
  lessonProgress: z.record(z.string(), z.strictObject({ passed: z.boolean(), checkedAt: z.string() })),
}

/**
 * What updateSettings takes: only the keys given. No defaults here: zod 4 fills a default
 * inside .partial(), and a patch that said theme 'system' and no recent files is what wiped
 * them at every Start.
 */
export const settingsPatchSchema = z.strictObject(settingFields).partial()
export type SettingsPatch = z.infer<typeof settingsPatchSchema>

export const settingsSchema = settingsPatchSchema.extend({
  theme: settingFields.theme.default('system'),
  recentFiles: settingFields.recentFiles.default([]),
})
export type Settings = z.infer<typeof settingsSchema>
