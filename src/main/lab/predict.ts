/**
 * `lab predict`: a saved model, in eval mode, on the rows of a CSV — what a student does after
 * training. A TorchLab checkpoint brings its feature columns, its training-split
 * standardisation and its class names; a plain state_dict needs the columns named.
 */
import type { CheckpointInfo, Predictions, ScalerStats } from '../../shared/api'
import { lossOf } from '../../shared/catalog/losses'
import { labError } from '../../shared/errors'
import { stateDictShapes } from '../../shared/modelSpec'
import type { ModelSpec } from '../../shared/schemas'
import { csvCell } from './data/csvCell'
import { findColumn, type NumericColumn, type Table } from './data/table'
import { DenseNetwork } from './engine/dense/network'
import { matchStateDict, type StateDict } from './model/stateDict'
import { decide } from './train/metrics'

/** the chosen columns as [rows, features], standardised when the checkpoint says so */
function featureRows(table: Table, features: string[], scaler: ScalerStats | undefined): Float32Array {
  const d = features.length
  const x = new Float32Array(table.rowCount * d)
  features.forEach((name, j) => {
    const column = findColumn(table, name)
    if (!column) {
      throw labError('COLUMN_NOT_FOUND', `The column "${name}" is not in this file. Its columns are: ${table.columns.map((c) => c.name).join(', ')}.`, { column: name })
    }
    if (column.kind !== 'numeric') {
      const bad = column.firstNonNumeric
      throw labError('COLUMN_NOT_NUMERIC', `Column "${name}" has ${bad ? `"${bad.value}" on line ${bad.line}` : 'no numbers'}, which the model cannot take as input.`, { column: name, line: bad?.line })
    }
    const index = scaler ? scaler.features.indexOf(name) : -1
    for (let r = 0; r < table.rowCount; r++) {
      const v = column.values[r]
      if (Number.isNaN(v)) throw labError('CSV_BAD_NUMBER', `Row ${r + 1} has no value in "${name}", so the model cannot predict it. Fill or remove that row.`, { column: name, row: r + 1 })
      x[r * d + j] = index >= 0 ? (v - scaler!.mean[index]) / scaler!.std[index] : v
    }
  })
  return x
}

export interface PredictInput {
  info: CheckpointInfo
  weights: StateDict
  table: Table
  features?: string[]
}

export function predictTable({ info, weights, table, features: chosen }: PredictInput): Predictions {
  const model: ModelSpec | null = info.model
  if (!model) throw labError('CHECKPOINT_UNSUPPORTED', info.modelNote)
  const meta = info.torchlab
  const features = chosen ?? meta?.dataset.features
  if (!features) throw labError('NO_FEATURES', `${info.path} is a plain state_dict, which does not name its input columns: choose them, for example --x wt.`)
  if (features.length !== model.inFeatures) {
    throw labError('INVALID_ARGUMENT', `The model takes ${model.inFeatures} input column(s), but ${features.length} were chosen (${features.join(', ')}).`)
  }
  // the scaler applies only to the columns it was fitted on, in the checkpoint's order
  const scaler = meta?.scaler && features.join() === meta.scaler.features.join() ? meta.scaler : undefined
  const network = new DenseNetwork(model, matchStateDict(weights, stateDictShapes(model), info.path), 0)
  network.training = false
  const n = table.rowCount
  const out = network.forward(featureRows(table, features, scaler), n)
  const width = model.outFeatures
  const outputs = Array.from({ length: n }, (_, r) => Array.from(out.subarray(r * width, r * width + width)))
  const classes = meta?.classes
  const labels = classes && meta ? Array.from(decide(out, n, width, lossOf(meta.train.loss).threshold), (c) => classes[c]) : undefined
  return { features, scaled: scaler !== undefined, outputs, ...(labels ? { labels } : {}) }
}

/** the CSV's feature columns as given, then the outputs (and the class) */
export function predictionsCsv(table: Table, p: Predictions): string {
  const width = p.outputs[0]?.length ?? 1
  const outputNames = width === 1 ? ['prediction'] : Array.from({ length: width }, (_, i) => `output_${i}`)
  const header = [...p.features, ...outputNames, ...(p.labels ? ['label'] : [])]
  const columns = p.features.map((f) => (findColumn(table, f) as NumericColumn).values)
  const lines = p.outputs.map((row, r) => [...columns.map((c) => c[r]), ...row, ...(p.labels ? [p.labels[r]] : [])].map(csvCell).join(','))
  return [header.map(csvCell).join(','), ...lines].join('\n') + '\n'
}
