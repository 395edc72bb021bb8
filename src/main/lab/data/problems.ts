/**
 * What is wrong in a file, in sentences: the preview shows them beside the way on it offers,
 * and dataset preparation refuses with them (naming line and column) until the student accepts.
 */
import type { CsvProblem } from '../../../shared/api'
import { labError, type LabError } from '../../../shared/errors'
import { parseNumber, shown } from './cells'
import type { Column, NumericColumn, StringColumn, Table } from './table'

export function delimiterName(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`
}

/** the ways on, as each front door offers them */
const SKIP_ROWS = 'skip the rows that do not fit ("Skip these rows" in the Data panel, --bad-rows skip for lab)'
const AS_MISSING = 'read such cells as missing values ("Treat as missing" in the Data panel, --bad-cells missing for lab)'

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
const lineList = (r: NonNullable<Table['ragged']>) => `${r.lines.join(', ')}${r.count > r.lines.length ? ', …' : ''}`

function raggedSentence(table: Table): string {
  const r = table.ragged!
  const others = r.count > 1 ? ` ${r.count} rows do not fit: lines ${lineList(r)}.` : ''
  return (
    `Line ${r.first.line} has ${plural(r.first.cells, 'value')} but the ${table.header ? 'header has' : 'other rows have'} ${r.width}: ` +
    `check it for a missing or extra ${delimiterName(table.delimiter)}.${others}`
  )
}

export function raggedError(table: Table): LabError {
  return labError('CSV_RAGGED_ROW', `${raggedSentence(table)} Fix the file, or ${SKIP_ROWS}.`, { line: table.ragged!.first.line })
}

export function raggedProblem(table: Table): CsvProblem | undefined {
  const r = table.ragged
  if (!r) return undefined
  const message = r.skipped
    ? `Skipped ${plural(r.count, 'row')} that ${r.count === 1 ? 'does' : 'do'} not have ${r.width} values: line${r.count === 1 ? '' : 's'} ${lineList(r)}.`
    : raggedSentence(table)
  return { count: r.count, message, accepted: r.skipped }
}

/** why a cell holds no usable number */
function whyUnusable(value: string, decimal: '.' | ','): string {
  const v = parseNumber(value, decimal)
  if (Number.isNaN(v)) return 'which is not a number'
  if (!Number.isFinite(v)) return 'which is not a finite number'
  return 'beyond ±1.8e19, the largest magnitude TorchLab trains on (its square overflows float32)'
}

function unusableSentence(column: NumericColumn, decimal: '.' | ','): string {
  const { count, first } = column.unusable!
  const all = count > 1 ? ` (${count} such cells)` : ''
  return `Column "${column.name}" holds ${shown(first.value)} on line ${first.line}, ${whyUnusable(first.value, decimal)}${all}.`
}

function refusedUnusable(column: Column): column is NumericColumn {
  return column.kind === 'numeric' && column.unusable !== undefined && !column.unusable.asMissing
}

/** A column used for training must not hold refused cells. */
export function refuseUnusable(column: Column, decimal: '.' | ','): void {
  if (!refusedUnusable(column)) return
  const { first } = column.unusable!
  throw labError('CSV_BAD_NUMBER', `${unusableSentence(column, decimal)} Fix the cell, or ${AS_MISSING}.`, {
    line: first.line,
    column: column.name,
  })
}

/** The refusal for a text column where numbers are needed, saying which cell made it text. */
export function notNumericError(column: StringColumn, role: string): LabError {
  const bad = column.firstNonNumeric
  const where = bad ? `holds ${shown(bad.value)} on line ${bad.line}, which is not a number` : 'holds no numbers at all'
  const wayOn =
    column.nonNumbers !== undefined
      ? ` ${plural(column.nonNumbers, 'cell')} of it ${column.nonNumbers === 1 ? 'is not a number' : 'are not numbers'}: fix ${column.nonNumbers === 1 ? 'it' : 'them'}, or ${AS_MISSING}.`
      : ' Fix that cell or choose another column.'
  return labError('COLUMN_NOT_NUMERIC', `Column "${column.name}" ${where}, so it cannot be used as a ${role}.${wayOn}`, {
    column: column.name,
    line: bad?.line,
  })
}

export function badCellsProblem(table: Table): CsvProblem | undefined {
  let count = 0
  let refused: string | undefined
  let accepted: string | undefined
  for (const c of table.columns) {
    if (c.kind === 'numeric' && c.unusable) {
      count += c.unusable.count
      if (c.unusable.asMissing) accepted ??= `Read ${plural(c.unusable.count, 'cell')} of "${c.name}" as missing, the first on line ${c.unusable.first.line}: ${shown(c.unusable.first.value)}.`
      else refused ??= unusableSentence(c, table.decimal)
    } else if (c.kind !== 'numeric' && c.nonNumbers !== undefined && c.firstNonNumeric) {
      count += c.nonNumbers
      refused ??= `Column "${c.name}" is read as text because line ${c.firstNonNumeric.line} holds ${shown(c.firstNonNumeric.value)}${c.nonNumbers > 1 ? ` (${c.nonNumbers} cells are not numbers)` : ''}.`
    }
  }
  if (count === 0) return undefined
  return refused ? { count, message: refused, accepted: false } : { count, message: accepted!, accepted: true }
}

/** Why a column has its type, or what became of its cells. */
export function columnNote(column: Column, table: Table): string | undefined {
  const renamed = table.renamed.find((r) => r.to === column.name)
  const rename = renamed ? `named "${renamed.to}": the header names "${renamed.from}" more than once.` : undefined
  let why: string | undefined
  if (column.kind === 'numeric' && column.unusable) {
    why = column.unusable.asMissing
      ? `${plural(column.unusable.count, 'cell')} read as missing, the first on line ${column.unusable.first.line}: ${shown(column.unusable.first.value)}.`
      : unusableSentence(column, table.decimal)
  } else if (column.kind !== 'numeric') {
    why = column.firstNonNumeric ? `text because line ${column.firstNonNumeric.line} holds ${shown(column.firstNonNumeric.value)}.` : 'no values at all.'
  }
  return [rename, why].filter(Boolean).join(' ') || undefined
}

export function tableNotes(table: Table): string[] {
  const notes: string[] = []
  if (table.decimalEvidence) notes.push(`Decimal mark: a comma, detected from cells such as "${table.decimalEvidence}".`)
  for (const r of table.renamed) {
    if (r.from !== r.to) notes.push(`The header names "${r.from}" more than once: a later one is read as "${r.to}", as pandas.read_csv names it.`)
  }
  if (table.undecodableLine !== undefined) {
    notes.push(
      `Line ${table.undecodableLine} holds bytes that are not valid in the chosen encoding (shown as �). ` +
        'A file saved by Excel on Windows is often Windows-1252: choose that encoding.',
    )
  }
  return notes
}
