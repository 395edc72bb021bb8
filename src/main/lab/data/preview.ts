/** Table -> CsvPreview: what the window shows of a parsed file, small enough to send over IPC. */
import type { ColumnSummary, CsvPreview } from '../../../shared/api'
import { badCellsProblem, columnNote, raggedProblem, tableNotes } from './problems'
import type { Column, Table } from './table'

const MAX_LEVELS_SHOWN = 50
const LEVEL_CHARS = 100

function summarize(column: Column, table: Table): ColumnSummary {
  const note = columnNote(column, table)
  if (column.kind !== 'numeric') {
    const levels = column.levels
      .slice(0, MAX_LEVELS_SHOWN)
      .map((v) => (v.length > LEVEL_CHARS ? `${v.slice(0, LEVEL_CHARS)}…` : v))
    return { name: column.name, kind: column.kind, missing: column.missing, levels, firstNonNumeric: column.firstNonNumeric, note }
  }
  let min = Infinity
  let max = -Infinity
  let sum = 0
  let count = 0
  // an indexed loop with plain comparisons: this runs over every value of a million-row file on import
  const values = column.values
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (Number.isNaN(v)) continue
    if (v < min) min = v
    if (v > max) max = v
    sum += v
    count++
  }
  const range = count === 0 ? {} : { min, max, mean: sum / count }
  return { name: column.name, kind: column.kind, missing: column.missing, ...range, note }
}

export function previewOf(table: Table): CsvPreview {
  return {
    delimiter: table.delimiter,
    header: table.header,
    decimal: table.decimal,
    rowCount: table.rowCount,
    rows: table.preview,
    columns: table.columns.map((c) => summarize(c, table)),
    notes: tableNotes(table),
    problems: { raggedRows: raggedProblem(table), badCells: badCellsProblem(table) },
  }
}
