/** The from-scratch run's data: one feature and the target, as the file holds them (float64, as torch.from_numpy gives them). */
import { labError } from '../../../shared/errors'
import type { DatasetSpec } from '../../../shared/schemas'
import { prepareData } from '../data/dataset'
import { findColumn, type NumericColumn, type Table } from '../data/table'
import type { ScratchData } from './scratchRun'

export function scratchData(table: Table, spec: DatasetSpec): ScratchData {
  if (spec.features.length !== 1) {
    throw labError('INVALID_ARGUMENT', `The from-scratch model has one weight, so it takes one feature column; ${spec.features.length} were given (${spec.features.join(', ')}).`)
  }
  if (spec.scale !== 'none' || spec.valSplit !== 0 || spec.missing !== 'drop') {
    throw labError('INVALID_ARGUMENT', 'The from-scratch run uses the columns as the file holds them: no scaling, no validation split, rows with a missing value dropped.')
  }
  // the same checks and messages as any run: the columns exist, are numbers, leave enough rows
  prepareData(table, spec, 'MSELoss')
  const x = (findColumn(table, spec.features[0]) as NumericColumn).values
  const y = (findColumn(table, spec.target) as NumericColumn).values
  const rows = Array.from({ length: x.length }, (_, i) => i).filter((i) => !Number.isNaN(x[i]) && !Number.isNaN(y[i]))
  return { n: rows.length, x: Float64Array.from(rows, (i) => x[i]), y: Float64Array.from(rows, (i) => y[i]) }
}
