/**
 * `lab train` options -> a TrainRequest. Pure, so every default and every message can be
 * tested without starting a run. With no options it is the course's DataLoader lecture:
 * cars.csv, wt -> mpg, one nn.Linear, SGD lr 0.02, batch 2, 1000 epochs, no shuffle.
 */
import { BUNDLED } from '../../shared/catalog/datasets'
import { matchName, type ArgSpec } from '../../shared/catalog/args'
import { COURSE } from '../../shared/catalog/course'
import { findLoss, LOSS_TABLE, suggestedLoss } from '../../shared/catalog/losses'
import { OPTIMIZER_TABLE } from '../../shared/catalog/optimizers'
import { parseLayers } from '../../shared/layers/text'
import { mlpLayers } from '../../shared/modelSpec'
import { ACTIVATIONS, ENGINES, BUNDLED_DATASETS, LOSSES, OPTIMIZERS, type BundledDatasetName, type TrainRequestInput } from '../../shared/schemas'
import { labError } from '../../shared/errors'
import { parseCommandArgs } from './args'
import { CSV_HELP, CSV_OPTIONS, parseOptionsFromArgs } from './csvArgs'

/** --weight-decay, --lr-decay, --delta, …: torch's keyword with - for _ */
const flagOf = (arg: ArgSpec): string => arg.torch.replace(/_/g, '-')

const ALL_OPTIMIZER_ARGS: readonly ArgSpec[] = OPTIMIZERS.flatMap((o): readonly ArgSpec[] => OPTIMIZER_TABLE[o].args)
const ALL_LOSS_ARGS: readonly ArgSpec[] = LOSSES.flatMap((l): readonly ArgSpec[] => LOSS_TABLE[l].args)

/** a second spelling of a flag: the issue tracker's name for HuberLoss's delta */
const FLAG_ALIASES: Readonly<Record<string, string>> = { delta: 'huber-delta' }

/** every optimizer and loss argument once, as a flag (and its alias) */
function catalogueFlags(): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(
    [...ALL_OPTIMIZER_ARGS, ...ALL_LOSS_ARGS].flatMap((a) => {
      const option = { type: a.type === 'boolean' ? ('boolean' as const) : ('string' as const) }
      const alias = FLAG_ALIASES[flagOf(a)]
      return alias ? [[flagOf(a), option], [alias, option]] : [[flagOf(a), option]]
    }),
  )
}

/** the options that describe a run (data, model, training, engine): lab train, step, graph and search read them */
export const RUN_OPTIONS = {
  data: { type: 'string', default: COURSE.dataset },
  ...CSV_OPTIONS,
  x: { type: 'string' },
  y: { type: 'string' },
  model: { type: 'string' },
  layers: { type: 'string' },
  // no defaults here: given without --model mlp they would shape nothing, and are refused
  hidden: { type: 'string' },
  activation: { type: 'string' },
  loss: { type: 'string' },
  optimizer: { type: 'string', default: COURSE.optimizer },
  ...catalogueFlags(),
  epochs: { type: 'string', default: String(COURSE.epochs) },
  'batch-size': { type: 'string', default: String(COURSE.batchSize) },
  shuffle: { type: 'boolean', default: COURSE.shuffle },
  'drop-last': { type: 'boolean', default: false },
  seed: { type: 'string', default: '0' },
  scale: { type: 'string', default: 'none' },
  missing: { type: 'string', default: 'drop' },
  'val-split': { type: 'string', default: '0' },
  engine: { type: 'string', default: 'auto' },
  backend: { type: 'string', default: 'auto' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/** where a run starts (lab train and lab step) */
export const INIT_OPTIONS = {
  init: { type: 'string' },
  key: { type: 'string' },
} as const

export const TRAIN_OPTIONS = {
  ...RUN_OPTIONS,
  ...INIT_OPTIONS,
  out: { type: 'string' },
  checkpoint: { type: 'boolean', default: false },
  weights: { type: 'boolean', default: false },
} as const

export type TrainArgs = ReturnType<typeof parseCommandArgs<typeof RUN_OPTIONS>>['values']

export function parseTrainArgv(argv: string[]) {
  return parseCommandArgs(argv, TRAIN_OPTIONS, 'train').values
}

function number(flag: string, value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw labError('INVALID_ARGUMENT', `--${flag} must be a number, not "${value}".`)
  return n
}

/** Accepts PyTorch's names and the lower-case short forms a student types (relu, mse, adam). */
function pick<T extends string>(flag: string, value: string, names: readonly T[], find: (text: string) => T | undefined = (t) => matchName(t, names)): T {
  const found = find(value)
  if (!found) throw labError('INVALID_ARGUMENT', `Unknown --${flag} "${value}". Choose one of: ${names.join(', ')}.`)
  return found
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/** the value of an argument's flag, or undefined when not given */
function flagValue(args: TrainArgs, arg: ArgSpec): number | boolean | number[] | undefined {
  const given = args as Record<string, string | boolean | undefined>
  const alias = FLAG_ALIASES[flagOf(arg)]
  if (alias && given[alias] !== undefined && given[flagOf(arg)] !== undefined) {
    throw labError('INVALID_ARGUMENT', `--${alias} and --${flagOf(arg)} are the same setting; give only one.`)
  }
  const raw = given[flagOf(arg)] ?? (alias ? given[alias] : undefined)
  if (raw === undefined || typeof raw === 'boolean') return raw
  if (arg.type === 'pair') {
    const pair = list(raw).map((v) => number(flagOf(arg), v))
    if (pair.length !== 2) throw labError('INVALID_ARGUMENT', `--${flagOf(arg)} takes two numbers, such as 0.9,0.999.`)
    return pair
  }
  return number(flagOf(arg), raw)
}

/** the arguments these descriptors take, from their flags; a flag for an argument they do not take is refused */
function catalogueValues(args: TrainArgs, own: readonly ArgSpec[], all: readonly ArgSpec[], owner: string): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const arg of all) {
    const given = flagValue(args, arg)
    if (given === undefined || values[arg.key] !== undefined) continue
    if (!own.some((a) => a.key === arg.key)) {
      throw labError('INVALID_ARGUMENT', `${owner} has no --${flagOf(arg)}; it takes ${own.length ? own.map((a) => `--${flagOf(a)}`).join(', ') : 'no arguments'}.`)
    }
    values[arg.key] = given
  }
  return values
}

function modelOf(args: TrainArgs): TrainRequestInput['model'] {
  const kind = args.model?.toLowerCase()
  const mlpFlags = [args.hidden !== undefined && '--hidden', args.activation !== undefined && '--activation'].filter(Boolean).join(' and ')
  if (mlpFlags && kind !== 'mlp') {
    throw labError('INVALID_ARGUMENT', `${mlpFlags} shape${mlpFlags.includes(' and ') ? '' : 's'} the hidden layers of --model mlp; add --model mlp${args.layers !== undefined ? ' instead of --layers, or write them into --layers' : ''}.`)
  }
  if (args.layers !== undefined) {
    if (kind !== undefined) throw labError('INVALID_ARGUMENT', '--layers describes the whole model; leave out --model.')
    return { kind: 'sequential', layers: parseLayers(args.layers) }
  }
  if (kind === undefined || kind === 'linear') return { kind: 'linear' }
  if (kind !== 'mlp') throw labError('INVALID_ARGUMENT', `Unknown --model "${args.model}". Choose linear or mlp, or describe the layers with --layers.`)
  const activation = pick('activation', args.activation ?? COURSE.hiddenActivation, ACTIVATIONS)
  const hidden = args.hidden === undefined ? [...COURSE.hidden] : list(args.hidden).map((u) => number('hidden', u))
  return { kind: 'sequential', layers: mlpLayers(hidden, activation) }
}

export function trainRequestFromArgs(args: TrainArgs): TrainRequestInput {
  const bundled = BUNDLED.find((b) => b.name === args.data)
  const isBundled = (BUNDLED_DATASETS as readonly string[]).includes(args.data)
  const features = args.x ? list(args.x) : (bundled?.suggestedFeatures ?? [])
  const target = args.y ?? bundled?.suggestedTarget
  if (features.length === 0) throw labError('NO_FEATURES', 'Choose the feature columns with --x, for example --x wt or --x wt,hp.')
  if (!target) throw labError('COLUMN_NOT_FOUND', 'Choose the target column with --y, for example --y mpg.')

  const loss = args.loss ? pick('loss', args.loss, LOSSES, findLoss) : suggestedLoss(bundled?.task === 'classification')
  const lossArgs = catalogueValues(args, LOSS_TABLE[loss].args, ALL_LOSS_ARGS, loss)
  const optimizerName = pick('optimizer', args.optimizer, OPTIMIZERS)
  const { args: ownArgs, suggestedLr } = OPTIMIZER_TABLE[optimizerName]
  const optimizerArgs = catalogueValues(args, ownArgs, ALL_OPTIMIZER_ARGS, optimizerName)
  const optimizer = { name: optimizerName, lr: suggestedLr, ...optimizerArgs } as TrainRequestInput['train']['optimizer']

  const scale = args.scale === 'standard' || args.scale === 'none' ? args.scale : undefined
  if (!scale) throw labError('INVALID_ARGUMENT', `Unknown --scale "${args.scale}". Choose none or standard.`)
  const missing = args.missing === 'drop' || args.missing === 'mean' ? args.missing : undefined
  if (!missing) throw labError('INVALID_ARGUMENT', `Unknown --missing "${args.missing}". Choose drop or mean.`)
  const engine = ENGINES.find((e) => e === args.engine)
  if (!engine) throw labError('INVALID_ARGUMENT', `Unknown --engine "${args.engine}". Choose auto, dense or tfjs.`)
  const backend = (['auto', 'tensorflow', 'wasm', 'cpu'] as const).find((b) => b === args.backend)
  if (!backend) throw labError('INVALID_ARGUMENT', `Unknown --backend "${args.backend}". Choose auto, tensorflow, wasm or cpu.`)
  if (backend !== 'auto' && engine !== 'tfjs') throw labError('INVALID_ARGUMENT', `--backend ${backend} chooses tfjs's backend, and this run is on the dense engine: add --engine tfjs, or leave --backend out.`)

  return {
    dataset: {
      source: isBundled ? { kind: 'bundled', name: args.data as BundledDatasetName } : { kind: 'file', path: args.data },
      parse: parseOptionsFromArgs(args),
      features,
      target,
      missing,
      scale,
      valSplit: number('val-split', args['val-split']),
      splitSeed: number('seed', args.seed),
    },
    model: modelOf(args),
    train: {
      loss,
      ...lossArgs,
      optimizer,
      epochs: number('epochs', args.epochs),
      batchSize: number('batch-size', args['batch-size']),
      shuffle: args.shuffle,
      dropLast: args['drop-last'],
      seed: number('seed', args.seed),
    },
    engine,
    backend,
  }
}

const optimizerHelp = OPTIMIZERS.map((o) => `${o.toLowerCase()} (${OPTIMIZER_TABLE[o].args.map((a) => `--${flagOf(a)}`).join(' ')})`).join('\n                                        ')

export const TRAIN_HELP = `lab train — train a model on a CSV, as the course does in PyTorch

  --data PATH|cars|iris|diabetes|wine   data set (default cars)
${CSV_HELP}  --x COLS --y COL                      feature columns (comma list) and target
  --layers "Linear(16), BatchNorm1d(), ReLU(), Dropout(0.2), Linear(1)"
                                        an nn.Sequential; sizes left out come from the data and the layer before
  --model linear|mlp  --hidden 16,16  --activation ${ACTIVATIONS.map((a) => a.toLowerCase()).join('|')}
                                        shorthands: the course's LinearRegressionTorch, or Linear+activation pairs
  --loss ${LOSSES.map((l) => LOSS_TABLE[l].aliases[0]).join('|')}  (--delta or --huber-delta for huber, --beta for smoothl1)
  --optimizer ${optimizerHelp}
  --epochs 1000  --batch-size 2  --shuffle  --drop-last
  --seed 0                              the initial weights and split, from TorchLab's own generator
                                        (torch's init bounds, not torch.manual_seed's stream: --init to start from torch's);
                                        --shuffle takes torch's DataLoader order after torch.manual_seed(seed)
  --scale none|standard  --missing drop|mean  --val-split 0
  --init WEIGHTS.json|FILE.pth          starting weights: JSON {name: nested arrays} or a PyTorch file
  --key PATH                            which state_dict of the .pth to start from (lab inspect lists them)
                                        (a checkpoint's optimizer_state_dict is restored, with its settings, as
                                        torch's load_state_dict does, when it fits the run's optimizer)
  --out FILE.pth [--checkpoint]         save the trained state_dict (or a full checkpoint); a diverged run saves its
                                        last sound epoch's weights, a stopped one nothing (the report's save_note says which)
  --engine auto|dense|tfjs              auto: the dense engine (plain loops, fastest for classroom sizes)
  --backend auto|tensorflow|wasm|cpu    tfjs's backend   --json  one JSON object on stdout
  --weights                             with --json: the state_dict even of a large model (streamed)
`
