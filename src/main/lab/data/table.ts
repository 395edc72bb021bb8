/** A parsed CSV held column by column; numeric columns live in typed arrays. */
import type { ColumnKind } from '../../../shared/api'
import type { ParseOptions } from '../../../shared/schemas'

/** a cell as the file holds it, at the line an editor shows it on */
export interface CellRef {
  line: number
  value: string
}

/** Cells of a number column that hold no usable number: values beyond NUMBER_LIMIT, and text when read as missing (refused, text makes the column text). */
export interface UnusableCells {
  count: number
  first: CellRef
  /** true: they read as missing (badCells 'missing'); false: the column is refused where it is used */
  asMissing: boolean
}

export interface NumericColumn {
  name: string
  kind: 'numeric'
  /** NaN marks a missing or unusable value */
  values: Float64Array
  /** missing values, with unusable cells when they read as missing */
  missing: number
  unusable?: UnusableCells
}

/**
 * A column of text, each row's cell as its index among the column's distinct cells: a class-label
 * column of a million rows is a few strings and one typed array, which crosses from the parse
 * worker as it is (a million strings took longer to copy than the file took to read).
 */
export interface StringColumn {
  name: string
  kind: Exclude<ColumnKind, 'numeric'>
  /** each row's cell, as its index in `levels`; MISSING_CODE marks a missing value */
  codes: Int32Array
  /** the distinct cells (trimmed), in the order the file first shows them */
  levels: string[]
  missing: number
  /** the first cell that was not a number */
  firstNonNumeric?: CellRef
  /** how many cells are not numbers, when at least as many are: read as missing, the column would be numeric */
  nonNumbers?: number
}

export type Column = NumericColumn | StringColumn

/** a StringColumn's code for a missing value */
export const MISSING_CODE = -1

/** Rows whose number of cells differs from the header's. They are never in the columns; unless skipped, the data set is refused. */
export interface RaggedRows {
  count: number
  /** the first of them */
  first: { line: number; cells: number }
  /** the lines of the first few, for the message */
  lines: number[]
  /** the number of cells every row should have */
  width: number
  skipped: boolean
}

export interface Table {
  columns: Column[]
  rowCount: number
  /** what the bytes were read as: a byte order mark, or UTF-16's zero bytes, overrides the chosen encoding */
  encoding: ParseOptions['encoding']
  delimiter: Exclude<ParseOptions['delimiter'], ''>
  header: boolean
  decimal: '.' | ','
  /** a cell that showed the decimal comma, when the mark was detected as one */
  decimalEvidence?: string
  /** header names made unique as pandas does (wt, wt.1) */
  renamed: { from: string; to: string }[]
  ragged: RaggedRows | null
  /** the first line holding bytes the chosen encoding could not read (shown as U+FFFD) */
  undecodableLine?: number
  /** the first rows as text, for previews */
  preview: string[][]
}

export function findColumn(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name)
}
