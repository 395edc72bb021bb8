/**
 * CSV text -> Table. papaparse does the tokenising (quotes, CRLF, delimiter guessing);
 * this module decides the header, the column types and what counts as a number.
 */
import Papa from 'papaparse'
import type { ParseOptions } from '../../../shared/schemas'
import { labError } from '../../../shared/errors'
import { isMissing, parseNumber } from './cells'
import { parseNumericBody } from './fastCsv'
import type { Column, Table } from './table'

const MAX_LEVELS = 50
const PREVIEW_ROWS = 20

function tokenize(text: string, delimiter: string): { rows: string[][]; delimiter: string } {
  const result = Papa.parse<string[]>(text, {
    delimiter,
    delimitersToGuess: [',', ';', '\t', '|'],
    skipEmptyLines: 'greedy',
    header: false,
    dynamicTyping: false,
  })
  const quoteError = result.errors.find((e) => e.type === 'Quotes')
  if (quoteError) {
    throw labError('CSV_RAGGED_ROW', `A quoted field is never closed near row ${(quoteError.row ?? 0) + 1}. Check the quotes in the file.`, {
      row: (quoteError.row ?? 0) + 1,
    })
  }
  return { rows: result.data, delimiter: result.meta.delimiter }
}

/** A header row is one whose cells are all text where the rows below hold numbers somewhere. */
function detectHeader(rows: string[][], decimal: '.' | ','): boolean {
  const first = rows[0]
  if (rows.length < 2) return first.every((c) => Number.isNaN(parseNumber(c, decimal)))
  const firstAllText = first.every((c) => c.trim() !== '' && Number.isNaN(parseNumber(c, decimal)))
  if (!firstAllText) return false
  const sample = rows.slice(1, 50)
  const someNumericColumn = first.some((_, j) => sample.some((r) => r[j] !== undefined && !Number.isNaN(parseNumber(r[j], decimal))))
  const allTextColumns = first.every((_, j) => sample.every((r) => r[j] === undefined || Number.isNaN(parseNumber(r[j], decimal))))
  return someNumericColumn || (allTextColumns && new Set(first).size === first.length)
}

function uniqueNames(raw: string[]): string[] {
  const seen = new Map<string, number>()
  return raw.map((name, j) => {
    const base = name.trim() || `column ${j + 1}`
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    return count === 0 ? base : `${base}.${count}`
  })
}

function buildColumn(name: string, cells: string[], decimal: '.' | ','): Column {
  const n = cells.length
  const values = new Float64Array(n)
  let missing = 0
  let firstNonNumeric: { row: number; value: string } | undefined
  for (let i = 0; i < n; i++) {
    const cell = cells[i]
    if (isMissing(cell)) {
      values[i] = NaN
      missing++
      continue
    }
    const v = parseNumber(cell, decimal)
    if (Number.isNaN(v)) {
      firstNonNumeric = { row: i + 1, value: cell }
      break
    }
    values[i] = v
  }
  if (!firstNonNumeric && missing < n) return { name, kind: 'numeric', values, missing }
  const strings = cells.map((c) => (isMissing(c) ? null : c.trim()))
  const levels = new Set(strings.filter((s): s is string => s !== null))
  const kind = levels.size <= MAX_LEVELS && levels.size <= Math.max(2, n / 2) ? 'categorical' : 'text'
  return { name, kind, values: strings, missing: strings.filter((s) => s === null).length, firstNonNumeric }
}

/** the first lines, for detecting the delimiter and the header without tokenising a large file */
const SAMPLE_CHARS = 64 * 1024

export function parseCsv(text: string, options: ParseOptions): Table {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (clean.trim() === '') throw labError('CSV_EMPTY', 'The file is empty: there is nothing to import.')
  if (clean.length > SAMPLE_CHARS) {
    const fast = parseLargeNumeric(clean, options)
    if (fast) return fast
  }
  const { rows, delimiter } = tokenize(clean, options.delimiter)
  if (rows.length === 0) throw labError('CSV_EMPTY', 'The file is empty: there is nothing to import.')
  const header = options.header === 'auto' ? detectHeader(rows, options.decimal) : options.header === 'yes'
  const width = rows[0].length
  const names = header ? uniqueNames(rows[0]) : rows[0].map((_, j) => `column ${j + 1}`)
  const body = header ? rows.slice(1) : rows
  if (body.length === 0) {
    throw labError('CSV_NO_ROWS', 'The file has a header row but no data rows below it.')
  }
  for (let i = 0; i < body.length; i++) {
    if (body[i].length !== width) {
      const row = i + 1
      throw labError(
        'CSV_RAGGED_ROW',
        `Row ${row} has ${body[i].length} values but the ${header ? 'header has' : 'first row has'} ${width}. ` +
          `Check that row for a missing or extra "${delimiter === '\t' ? 'tab' : delimiter}".`,
        { row },
      )
    }
  }
  const columns = names.map((name, j) =>
    buildColumn(
      name,
      body.map((r) => r[j]),
      options.decimal,
    ),
  )
  return { columns, rowCount: body.length, delimiter, header, decimal: options.decimal, preview: body.slice(0, PREVIEW_ROWS) }
}

/** A large all-numeric file without quotes, read in one pass; null when it needs the general parser. */
function parseLargeNumeric(text: string, options: ParseOptions): Table | null {
  const sampleEnd = text.lastIndexOf('\n', SAMPLE_CHARS)
  if (sampleEnd <= 0) return null
  const sample = tokenize(text.slice(0, sampleEnd), options.delimiter)
  if (sample.rows.length < 2) return null
  const header = options.header === 'auto' ? detectHeader(sample.rows, options.decimal) : options.header === 'yes'
  const names = header ? uniqueNames(sample.rows[0]) : sample.rows[0].map((_, j) => `column ${j + 1}`)
  const bodyStart = header ? text.indexOf('\n') + 1 : 0
  const result = parseNumericBody(text, bodyStart, names, sample.delimiter, options.decimal)
  if (!result || result.rowCount === 0) return null
  return {
    columns: result.columns,
    rowCount: result.rowCount,
    delimiter: sample.delimiter,
    header,
    decimal: options.decimal,
    preview: (header ? sample.rows.slice(1) : sample.rows).slice(0, PREVIEW_ROWS),
  }
}
