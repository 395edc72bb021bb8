/**
 * `lab step` and `lab graph` options -> requests: the options of `lab train` (read by its own
 * parser), plus --steps, and --scratch for the lecture's from-scratch w and b.
 */
import { labError } from '../../shared/errors'
import { SCRATCH_DTYPES, type GraphRequestInput, type ScratchRequestInput, type StepRequestInput } from '../../shared/learning'
import { parseCommandArgs } from './args'
import { INIT_OPTIONS, RUN_OPTIONS, trainRequestFromArgs } from './trainArgs'

/** a graph's shape does not depend on the weights, and stepping and graphs save nothing */
export const GRAPH_OPTIONS = { ...RUN_OPTIONS, scratch: { type: 'boolean', default: false } } as const

export const STEP_OPTIONS = {
  ...GRAPH_OPTIONS,
  ...INIT_OPTIONS,
  steps: { type: 'string', default: '10' },
  dtype: { type: 'string', default: 'float64' },
  w: { type: 'string' },
  b: { type: 'string' },
} as const

function numberOption(flag: string, value: string, whole = false): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || (whole && !Number.isInteger(n))) {
    throw labError('INVALID_ARGUMENT', `--${flag} must be a ${whole ? 'whole number' : 'number'}, not "${value}".`)
  }
  return n
}

/** the request, and where a module's run starts (--init, --key: read by startingWeights) */
export function stepRequestFromArgv(argv: string[]): { request: StepRequestInput; start: { init?: string; key?: string }; json: boolean; help: boolean } {
  const { values } = parseCommandArgs(argv, STEP_OPTIONS, 'step')
  const train = trainRequestFromArgs(values)
  const steps = numberOption('steps', values.steps, true)
  const common = { start: { init: values.init, key: values.key }, json: values.json, help: values.help }
  if (!values.scratch) return { request: { kind: 'module', request: train, steps }, ...common }
  if (values.init !== undefined || values.key !== undefined) throw labError('INVALID_ARGUMENT', 'The from-scratch run starts from --w and --b, not from a file: leave out --init, or drop --scratch to step a module from it.')
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
  const { values } = parseCommandArgs(argv, GRAPH_OPTIONS, 'graph')
  const request: GraphRequestInput = values.scratch ? { kind: 'scratch' } : { kind: 'module', request: trainRequestFromArgs(values) }
  return { request, json: values.json, help: values.help }
}

export const STEP_HELP = `lab step — a run one optimizer step at a time: the rows, loss, every gradient and the weights after each step

  the data, model and training options of lab train, plus
  --steps 10                 how many steps to record
  --scratch                  the lecture's from-scratch w and b, one row per step (lr 0.001 unless --lr)
  --dtype float64|float32    the from-scratch tensors' dtype
  --w W --b B                from-scratch starting values (default: torch.manual_seed(--seed); torch.rand(1) twice)
  --init WEIGHTS.json|FILE.pth [--key PATH]   a module's starting weights, as lab train takes them
  --json                     {"initial": {...}, "steps": [{"epoch", "batch", "indices", "loss", "grads", "params"}]}
`

export const GRAPH_HELP = `lab graph — the graph autograd builds for the loss (make_dot), with torch's grad_fn names, and the model's layers

  the data, model and training options of lab train, or --scratch for (x*w + b - y)**2
  --json                     {"nodes": [{"id", "name"}], "edges": [[from, to]], "model": {...}}
`
