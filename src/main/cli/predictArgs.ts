/**
 * `lab predict FILE.pth --data CSV [--x COLS] [--json | --out preds.csv]` -> a PredictRequest.
 * Pure, so every message can be tested without a file.
 */
import { matchName } from '../../shared/catalog/args'
import { ACTIVATIONS, BUNDLED_DATASETS, type BundledDatasetName } from '../../shared/schemas'
import type { PredictRequest } from '../../shared/api'
import { labError } from '../../shared/errors'
import { parseCommandArgs } from './args'

const OPTIONS = {
  data: { type: 'string' },
  x: { type: 'string' },
  activations: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

export function predictRequestFromArgv(argv: string[]): { request?: PredictRequest; json: boolean; help: boolean } {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'predict', true)
  if (values.help) return { json: values.json, help: true }
  if (positionals.length !== 1) throw labError('INVALID_ARGUMENT', `Give one .pth file. Usage: ${USAGE}`)
  if (!values.data) throw labError('INVALID_ARGUMENT', `Say which rows to predict with --data, a CSV file or a bundled data set. Usage: ${USAGE}`)
  const activations = values.activations
    ? list(values.activations).map((a) => matchName(a, ACTIVATIONS) ?? (() => { throw labError('INVALID_ARGUMENT', `Unknown activation "${a}" in --activations. Choose from: ${ACTIVATIONS.join(', ')}.`) })())
    : undefined
  const bundled = (BUNDLED_DATASETS as readonly string[]).includes(values.data)
  return {
    request: {
      path: positionals[0],
      data: bundled ? { kind: 'bundled', name: values.data as BundledDatasetName } : { kind: 'file', path: values.data },
      ...(values.x ? { features: list(values.x) } : {}),
      ...(activations ? { activations } : {}),
      ...(values.out ? { out: values.out } : {}),
    },
    json: values.json,
    help: false,
  }
}

const USAGE = 'lab predict FILE.pth --data CSV [--x COLS] [--json | --out preds.csv]'

export const PREDICT_HELP = `lab predict — run a saved model in eval mode on the rows of a CSV

  ${USAGE}
  --data PATH|cars|iris|diabetes|wine   the rows to predict
  --x COLS                              the input columns (a TorchLab checkpoint knows its own,
                                        and standardises them as in training)
  --activations relu,tanh               the activations between a plain state_dict's layers
                                        (a state_dict does not record them; ReLU otherwise)
  --out preds.csv                       write the columns and predictions as CSV
  --json                                one JSON object on stdout
`
