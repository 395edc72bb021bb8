/** a text column's cells row by row, as the file holds them (null for a missing one) */
import { MISSING_CODE, type StringColumn } from '../../src/main/lab/data/table'

export const textCells = (column: StringColumn): (string | null)[] => Array.from(column.codes, (code) => (code === MISSING_CODE ? null : column.levels[code]))
