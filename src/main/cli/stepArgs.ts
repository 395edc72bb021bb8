/**
 * `lab step` and `lab graph` options -> requests: the options of `lab train` (read by its own
 * parser), plus --steps, and --scratch for the lecture's from-scratch w and b.
 */
import { parseArgs } from 'node:util'
import { labError } from '../../shared/errors'
import { SCRATCH_DTYPES, type GraphRequestInput, type ScratchRequestInput, type StepRequestInput } from '../../shared/learning'
import { TRAIN_OPTIONS, trainRequestFromArgs } from './trainArgs'

/** lab train's options without --out and --checkpoint: stepping and graphs save nothing */
const SHARED = Object.fromEntries(Object.entries(TRAIN_OPTIONS).filter(([k]) => k !== 'out' && k !== 'checkpoint')) as Omit<typeof TRAIN_OPTIONS, 'out' | 'checkpoint'>

export const GRAPH_OPTIONS = { ...SHARED, scratch: { type: 'boolean', default: false } } as const

export const STEP_OPTIONS = {
  ...GRAPH_OPTIONS,
  steps: { type: 'string', default: '10' },
  dtype: { type: 'string', default: 'float64' },
  w: { type: 'string' },
  b: { type: 'string' },
} as const

function parse<T extends typeof GRAPH_OPTIONS | typeof STEP_OPTIONS>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (err) {
    throw labError('INVALID_ARGUMENT', `${err instanceof Error ? err.message : String(err)}. Run "lab ${command} --help" for the options.`)
  }
}

function numberOption(flag: string, value: string, whole = false): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || (whole && !Number.isInteger(n))) {
    throw labError('INVALID_ARGUMENT', `--${flag} must be a ${whole ? 'whole number' : 'number'}, not "${value}".`)
  }
  return n
}

export function stepRequestFromArgv(argv: string[]): { request: StepRequestInput; json: boolean; help: boolean } {
  const values = parse(argv, STEP_OPTIONS, 'step')
  const train = trainRequestFromArgs(values)
  const steps = numberOption('steps', values.steps, true)
  const common = { json: values.json, help: values.help }
  if (!values.scratch) return { request: { kind: 'module', request: train, steps }, ...common }
  if (train.model.kind !== 'linear') throw labError('INVALID_ARGUMENT', 'The from-scratch run is the one-weight line x·w + b; leave out --model mlp, or drop --scratch to step an MLP.')
  const dtype = SCRATCH_DTYPES.find((d) => d === values.dtype)
  if (!dtype) throw labError('INVALID_ARGUMENT', `Unknown --dtype "${values.dtype}". Choose float32 or float64.`)
  if ((values.w === undefined) !== (values.b === undefined)) throw labError('INVALID_ARGUMENT', 'Give both --w and --b to start from chosen values, or neither for torch.rand.')
  // --lr is one of the flags the optimizer catalogue generates, so its key is not typed by name
  const givenLr = (values as { lr?: string }).lr
  const scratch: ScratchRequestInput = {
    dataset: train.dataset,
    // the lecture's from-scratch learning rate, unless one is given
    lr: givenLr !== undefined ? numberOption('lr', givenLr) : 0.001,
    epochs: numberOption('epochs', values.epochs, true),
    dtype,
    init:
      values.w !== undefined && values.b !== undefined
        ? { kind: 'values', w: numberOption('w', values.w), b: numberOption('b', values.b) }
        : { kind: 'rand', seed: numberOption('seed', values.seed, true) },
  }
  return { request: { kind: 'scratch', request: scratch, steps }, ...common }
}

export function graphRequestFromArgv(argv: string[]): { request: GraphRequestInput; json: boolean; help: boolean } {
  const values = parse(argv, GRAPH_OPTIONS, 'graph')
  const request: GraphRequestInput = values.scratch ? { kind: 'scratch' } : { kind: 'module', request: trainRequestFromArgs(values) }
  return { request, json: values.json, help: values.help }
}

export const STEP_HELP = `lab step — a run one optimizer step at a time: the rows, loss, every gradient and the weights after each step

  the data, model and training options of lab train, plus
  --steps 10                 how many steps to record
  --scratch                  the lecture's from-scratch w and b, one row per step (lr 0.001 unless --lr)
  --dtype float64|float32    the from-scratch tensors' dtype
  --w W --b B                from-scratch starting values (default: torch.manual_seed(--seed); torch.rand(1) twice)
  --json                     {"initial": {...}, "steps": [{"epoch", "batch", "indices", "loss", "grads", "params"}]}
`

export const GRAPH_HELP = `lab graph — the graph autograd builds for the loss (make_dot), with torch's grad_fn names, and the model's layers

  the data, model and training options of lab train, or --scratch for (x*w + b - y)**2
  --json                     {"nodes": [{"id", "name"}], "edges": [[from, to]], "model": {...}}
`
