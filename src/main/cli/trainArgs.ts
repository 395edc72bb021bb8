/**
 * `lab train` options -> a TrainRequest. Pure, so every default and every message can be
 * tested without starting a run. With no options it is the course's DataLoader lecture:
 * cars.csv, wt -> mpg, one nn.Linear, SGD lr 0.02, batch 2, 1000 epochs, no shuffle.
 */
import { parseArgs } from 'node:util'
import { BUNDLED } from '../lab/data/bundled'
import {
  ACTIVATIONS,
  ENGINES,
  BUNDLED_DATASETS,
  LOSSES,
  OPTIMIZERS,
  type Activation,
  type BundledDatasetName,
  type LossName,
  type OptimizerName,
  type TrainRequestInput,
} from '../../shared/schemas'
import { labError } from '../../shared/errors'
import { CSV_HELP, CSV_OPTIONS, parseOptionsFromArgs } from './csvArgs'

export const TRAIN_OPTIONS = {
  data: { type: 'string', default: 'cars' },
  ...CSV_OPTIONS,
  x: { type: 'string' },
  y: { type: 'string' },
  model: { type: 'string', default: 'linear' },
  hidden: { type: 'string', default: '16,16' },
  activation: { type: 'string', default: 'relu' },
  loss: { type: 'string' },
  optimizer: { type: 'string', default: 'sgd' },
  lr: { type: 'string' },
  momentum: { type: 'string', default: '0' },
  'weight-decay': { type: 'string' },
  epochs: { type: 'string', default: '1000' },
  'batch-size': { type: 'string', default: '2' },
  shuffle: { type: 'boolean', default: false },
  'drop-last': { type: 'boolean', default: false },
  seed: { type: 'string', default: '0' },
  scale: { type: 'string', default: 'none' },
  missing: { type: 'string', default: 'drop' },
  'val-split': { type: 'string', default: '0' },
  init: { type: 'string' },
  out: { type: 'string' },
  checkpoint: { type: 'boolean', default: false },
  engine: { type: 'string', default: 'auto' },
  backend: { type: 'string', default: 'auto' },
  json: { type: 'boolean', default: false },
  weights: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

export type TrainArgs = Omit<ReturnType<typeof parseTrainArgv>, 'out' | 'checkpoint'>

export function parseTrainArgv(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: TRAIN_OPTIONS, strict: true, allowPositionals: false }).values
  } catch (err) {
    throw labError('INVALID_ARGUMENT', `${err instanceof Error ? err.message : String(err)}. Run "lab train --help" for the options.`)
  }
}

function number(flag: string, value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw labError('INVALID_ARGUMENT', `--${flag} must be a number, not "${value}".`)
  return n
}

/** Accepts PyTorch's names and the lower-case short forms a student types (relu, mse, adam). */
function pick<T extends string>(flag: string, value: string, names: readonly T[], aliases: Record<string, T> = {}): T {
  const key = value.toLowerCase().replace(/[-_\s]/g, '')
  const found = names.find((n) => n.toLowerCase() === key) ?? aliases[key]
  if (!found) throw labError('INVALID_ARGUMENT', `Unknown --${flag} "${value}". Choose one of: ${names.join(', ')}.`)
  return found
}

const LOSS_ALIASES: Record<string, LossName> = {
  mse: 'MSELoss',
  l1: 'L1Loss',
  mae: 'L1Loss',
  huber: 'HuberLoss',
  bce: 'BCEWithLogitsLoss',
  bcewithlogits: 'BCEWithLogitsLoss',
  crossentropy: 'CrossEntropyLoss',
  ce: 'CrossEntropyLoss',
}
const lowerAliases = <T extends string>(names: readonly T[], suffix: string): Record<string, T> =>
  Object.fromEntries(names.map((n) => [n.toLowerCase().replace(suffix.toLowerCase(), ''), n]))

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

export function trainRequestFromArgs(args: TrainArgs): TrainRequestInput {
  const bundled = BUNDLED.find((b) => b.name === args.data)
  const isBundled = (BUNDLED_DATASETS as readonly string[]).includes(args.data)
  const features = args.x ? list(args.x) : (bundled?.suggestedFeatures ?? [])
  const target = args.y ?? bundled?.suggestedTarget
  if (features.length === 0) throw labError('NO_FEATURES', 'Choose the feature columns with --x, for example --x wt or --x wt,hp.')
  if (!target) throw labError('COLUMN_NOT_FOUND', 'Choose the target column with --y, for example --y mpg.')

  const loss = args.loss
    ? pick('loss', args.loss, LOSSES, { ...lowerAliases(LOSSES, 'Loss'), ...LOSS_ALIASES })
    : bundled?.task === 'classification'
      ? 'CrossEntropyLoss'
      : 'MSELoss'
  const optimizerName: OptimizerName = pick('optimizer', args.optimizer, OPTIMIZERS)
  const lr = args.lr !== undefined ? number('lr', args.lr) : optimizerName === 'SGD' ? 0.02 : undefined
  const weightDecay = args['weight-decay'] !== undefined ? number('weight-decay', args['weight-decay']) : undefined
  const momentum = number('momentum', args.momentum)
  const optimizer =
    optimizerName === 'SGD'
      ? { name: 'SGD' as const, lr: lr!, momentum, weightDecay }
      : optimizerName === 'RMSprop'
        ? { name: 'RMSprop' as const, lr, momentum, weightDecay }
        : { name: optimizerName, lr, weightDecay }

  const modelKind = args.model.toLowerCase()
  if (modelKind !== 'linear' && modelKind !== 'mlp') throw labError('INVALID_ARGUMENT', `Unknown --model "${args.model}". Choose linear or mlp.`)
  const activation: Activation = pick('activation', args.activation, ACTIVATIONS)
  const hidden = list(args.hidden).map((u) => ({ units: number('hidden', u), activation }))
  const scale = args.scale === 'standard' || args.scale === 'none' ? args.scale : undefined
  if (!scale) throw labError('INVALID_ARGUMENT', `Unknown --scale "${args.scale}". Choose none or standard.`)
  const missing = args.missing === 'drop' || args.missing === 'mean' ? args.missing : undefined
  if (!missing) throw labError('INVALID_ARGUMENT', `Unknown --missing "${args.missing}". Choose drop or mean.`)
  const engine = ENGINES.find((e) => e === args.engine)
  if (!engine) throw labError('INVALID_ARGUMENT', `Unknown --engine "${args.engine}". Choose auto, dense or tfjs.`)
  const backend = (['auto', 'tensorflow', 'wasm', 'cpu'] as const).find((b) => b === args.backend)
  if (!backend) throw labError('INVALID_ARGUMENT', `Unknown --backend "${args.backend}". Choose auto, tensorflow, wasm or cpu.`)

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
    model: modelKind === 'linear' ? { kind: 'linear' } : { kind: 'mlp', hidden },
    train: {
      loss,
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

export const TRAIN_HELP = `lab train — train a model on a CSV, as the course does in PyTorch

  --data PATH|cars|iris|diabetes|wine   data set (default cars)
${CSV_HELP}  --x COLS --y COL                      feature columns (comma list) and target
  --model linear|mlp  --hidden 16,16  --activation relu|sigmoid|tanh|leakyrelu|elu|gelu
  --loss mse|l1|huber|bce|cross_entropy
  --optimizer sgd|adam|adamw|rmsprop  --lr 0.02  --momentum 0  --weight-decay 0
  --epochs 1000  --batch-size 2  --shuffle  --drop-last  --seed 0
  --scale none|standard  --missing drop|mean  --val-split 0
  --init WEIGHTS.json|FILE.pth          starting weights: JSON {name: nested arrays} or a PyTorch file
                                        (a TorchLab checkpoint also restores the optimizer's state)
  --out FILE.pth [--checkpoint]         save the trained state_dict (or a full checkpoint)
  --engine auto|dense|tfjs              auto: the dense engine (plain loops, fastest for classroom sizes)
  --backend auto|tensorflow|wasm|cpu    tfjs's backend   --json  one JSON object on stdout
  --weights                             with --json: the state_dict even of a large model (streamed)
`
