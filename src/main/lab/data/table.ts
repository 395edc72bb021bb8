/** A parsed CSV held column by column; numeric columns live in typed arrays. */
import type { ColumnKind } from '../../../shared/api'

export interface NumericColumn {
  name: string
  kind: 'numeric'
  /** NaN marks a missing value */
  values: Float64Array
  missing: number
}

export interface StringColumn {
  name: string
  kind: Exclude<ColumnKind, 'numeric'>
  /** null marks a missing value */
  values: (string | null)[]
  missing: number
  /** the first cell that was not a number (1-based data row) */
  firstNonNumeric?: { row: number; value: string }
}

export type Column = NumericColumn | StringColumn

export interface Table {
  columns: Column[]
  rowCount: number
  delimiter: string
  header: boolean
  decimal: '.' | ','
  /** the first rows as text, for previews */
  preview: string[][]
}

export function findColumn(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name)
}
