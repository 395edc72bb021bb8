/**
 * CSV text -> Table. tokenize.ts splits cells and numbers lines, detect.ts reads the file's
 * conventions; this module decides the header, the column types and what counts as a number.
 * What is wrong in a file (rows that do not fit the header, cells that hold no usable number) is
 * recorded in the Table with its line, so the preview can show it and offer a way on; whether
 * to refuse it is decided where the data is used (dataset.ts), by the parse options.
 */
import { parseOptionsSchema, type ParseOptions, type ParseOptionsInput } from '../../../shared/schemas'
import { labError } from '../../../shared/errors'
import { cellTooLong, MAX_COLUMNS, tooManyColumns } from '../limits'
import { assertNever } from '../../../shared/exhaustive'
import { isMissing, outOfRange, parseNumber } from './cells'
import { detectDecimal, detectDelimiter, detectHeader, SAMPLE_ROWS } from './detect'
import { sniffEncoding, decodeCsv, decodeText, hasUtf8Bom } from './encoding'
import { decodeCell, type CellEncoding } from './cellDictionary'
import { parseNumericBytes, type NumericFormat, type NumericPart } from './fastCsv'
import { delimiterName } from './problems'
import { MISSING_CODE, type CellRef, type Column, type RaggedRows, type Table } from './table'
import { breaksIn, tokenize } from './tokenize'

const MAX_LEVELS = 50
const PREVIEW_ROWS = 20
const RAGGED_LINES_KEPT = 10
/** a header cell longer than this is data or a broken file, not a column name */
const MAX_NAME_CHARS = 1000
/** conventions are read from the lines within this many characters, so a huge cell further on is scanned once, not once per candidate */
const SAMPLE_CHARS = 64 * 1024
/** text larger than this tries the one-pass numeric reader first */
const FAST_PATH_CHARS = SAMPLE_CHARS

type Conventions = Pick<Table, 'encoding' | 'delimiter' | 'header' | 'decimal' | 'decimalEvidence' | 'undecodableLine'>

/**
 * Duplicate names made unique exactly as pandas.read_csv's default (C) parser does: wt, wt.1, wt.2,
 * skipping a suffix that another column of the header already has (a, a, a.1 -> a, a.2, a.1).
 */
export function uniqueNames(raw: string[]): string[] {
  const names = [...raw]
  const inHeader = new Map<string, number>()
  for (const name of names) inHeader.set(name, (inHeader.get(name) ?? 0) + 1)
  const counts = new Map<string, number>()
  names.forEach((name, i) => {
    let unique = name
    let count = counts.get(name) ?? 0
    while (count > 0) {
      counts.set(name, count + 1)
      unique = `${name}.${count}`
      count = inHeader.has(unique) ? count + 1 : (counts.get(unique) ?? 0)
    }
    if (unique !== name) {
      names[i] = unique
      if (inHeader.get(name) === 1) inHeader.delete(name)
      else inHeader.set(name, inHeader.get(name)! - 1)
      inHeader.set(unique, (inHeader.get(unique) ?? 0) + 1)
    }
    counts.set(unique, count + 1)
  })
  return names
}

function headerNames(cells: string[], line: number): { names: string[]; renamed: Table['renamed'] } {
  const raw = cells.map((c, j) => {
    const name = c.trim()
    if (name.length > MAX_NAME_CHARS) {
      throw labError(
        'FILE_UNREADABLE',
        `Column ${j + 1}'s name on line ${line} is ${name.length.toLocaleString('en-US')} characters long, which is not a column name. ` +
          'If the first line holds data, choose no header row.',
        { line },
      )
    }
    // pandas.read_csv's name for a blank one, which the exported scripts and a student's own pandas code use too
    return name || `Unnamed: ${j}`
  })
  const names = uniqueNames(raw)
  return { names, renamed: names.flatMap((to, j) => (to === raw[j] ? [] : [{ from: raw[j], to }])) }
}

/**
 * What a column's cells hold, counted: `read` takes `count` cells that each hold `cell`, the first
 * of them at `row` (its line is asked for only when the cell is the first of its kind).
 */
class CellTally {
  missing = 0
  texts = 0
  ranged = 0
  firstText?: CellRef
  firstRange?: CellRef

  constructor(
    private readonly decimal: '.' | ',',
    private readonly lineAt: (row: number) => number,
  ) {}

  /** the cells' value: NaN for a missing or unusable one */
  read(cell: string, count: number, row: number): number {
    if (isMissing(cell)) {
      this.missing += count
      return NaN
    }
    const v = parseNumber(cell, this.decimal)
    if (Number.isNaN(v)) {
      this.texts += count
      this.firstText ??= { line: this.lineAt(row), value: cell }
    } else if (outOfRange(v)) {
      this.ranged += count
      this.firstRange ??= { line: this.lineAt(row), value: cell }
      return NaN
    }
    return v
  }
}

/**
 * A text column's distinct cells, trimmed (a missing cell is none), each given a code in the order
 * they are first met. Cells that differ only in the spaces around them are one level.
 */
class Levels {
  readonly list: string[] = []
  private readonly codes = new Map<string, number>()

  code(cell: string): number {
    if (isMissing(cell)) return MISSING_CODE
    const level = cell.trim()
    let code = this.codes.get(level)
    if (code === undefined) {
      code = this.list.length
      this.codes.set(level, code)
      this.list.push(level)
    }
    return code
  }
}

/** The column's type from its tally: numeric when `numbers` gives its values, or text when `text` gives its codes and levels. */
function typedColumn(
  name: string,
  n: number,
  tally: CellTally,
  badCells: ParseOptions['badCells'],
  numbers: () => Float64Array,
  text: () => { codes: Int32Array; levels: string[] },
): Column {
  const { missing, texts, ranged, firstText, firstRange } = tally
  const numberLike = n - missing - texts
  const asMissing = badCells === 'missing'
  if (numberLike > 0 && (texts === 0 || (asMissing && numberLike >= texts))) {
    const unusable = texts + ranged
    const values = numbers()
    if (unusable === 0) return { name, kind: 'numeric', values, missing }
    const first = firstText && (!firstRange || firstText.line <= firstRange.line) ? firstText : firstRange!
    return {
      name,
      kind: 'numeric',
      values,
      missing: asMissing ? missing + unusable : missing,
      unusable: { count: unusable, first, asMissing },
    }
  }
  const { codes, levels } = text()
  const kind = levels.length <= MAX_LEVELS && levels.length <= Math.max(2, n / 2) ? 'categorical' : 'text'
  return {
    name,
    kind,
    codes,
    levels,
    missing,
    firstNonNumeric: firstText,
    ...(numberLike > 0 && numberLike >= texts ? { nonNumbers: texts } : {}),
  }
}

/** A column of n cells, its type decided from all of them; cells are read in place through `cellAt` (a copy of a million cells costs more than typing them). */
function buildColumn(name: string, n: number, cellAt: (i: number) => string, lineAt: (i: number) => number, decimal: '.' | ',', badCells: ParseOptions['badCells']): Column {
  const tally = new CellTally(decimal, lineAt)
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) values[i] = tally.read(cellAt(i), 1, i)
  return typedColumn(name, n, tally, badCells, () => values, () => {
    const levels = new Levels()
    const codes = new Int32Array(n)
    for (let i = 0; i < n; i++) codes[i] = levels.code(cellAt(i))
    return { codes, levels: levels.list }
  })
}

/**
 * The column the fast reader read as text: each row's cell as its index (`rows`) among the
 * distinct cells as the file holds them (`cells`, in the order the file first shows them). Typed
 * as buildColumn types it, each distinct cell read once. A numeric column's values are written
 * over `rows`, which the reader no longer needs.
 */
function dictionaryColumn(name: string, rows: Float64Array, cells: string[], lineAt: (i: number) => number, decimal: '.' | ',', badCells: ParseOptions['badCells']): Column {
  const n = rows.length
  const counts = new Int32Array(cells.length)
  // every distinct cell is some row's: each has its first row
  const firstRows = new Int32Array(cells.length)
  for (let i = 0; i < n; i++) {
    const code = rows[i]
    if (counts[code]++ === 0) firstRows[code] = i
  }
  // in the order of first appearance, so the first text cell the tally keeps is the column's first
  const tally = new CellTally(decimal, lineAt)
  const cellValues = Float64Array.from(cells, (cell, code) => tally.read(cell, counts[code], firstRows[code]))
  const numbers = () => {
    for (let i = 0; i < n; i++) rows[i] = cellValues[rows[i]]
    return rows
  }
  return typedColumn(name, n, tally, badCells, numbers, () => {
    const levels = new Levels()
    const levelOf = Int32Array.from(cells, (cell) => levels.code(cell))
    const codes = new Int32Array(n)
    for (let i = 0; i < n; i++) codes[i] = levelOf[rows[i]]
    return { codes, levels: levels.list }
  })
}

function mostCommonWidth(rows: string[][]): number {
  const counts = new Map<number, number>()
  for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1)
  return [...counts].reduce((a, b) => (b[1] > a[1] ? b : a))[0]
}

/**
 * How the file is written, read from its first lines: `clean` is the text without a byte order
 * mark, whole or a prefix of at least SAMPLE_CHARS + 1 characters.
 */
function conventionsOf(clean: string, options: ParseOptions, encoding: ParseOptions['encoding']): Omit<Conventions, 'undecodableLine'> {
  const sampleText = completeLines(clean, SAMPLE_CHARS)
  const zero = sampleText.indexOf('\0')
  if (zero >= 0) {
    const line = 1 + breaksIn(clean, 0, zero)
    throw labError(
      'FILE_UNREADABLE',
      `Line ${line} holds a zero byte, which CSV text never has: this looks like a binary file (a .pth, an .xlsx workbook, a zip) ` +
        'or UTF-16 text read with another encoding. Save it as CSV, or choose the UTF-16 encoding.',
      { line },
    )
  }
  const delimiter = options.delimiter || detectDelimiter(sampleText)
  const sample = tokenize(sampleText, delimiter, SAMPLE_ROWS)
  const guess = options.decimal ? { decimal: options.decimal } : detectDecimal(sample.rows, delimiter)
  return {
    encoding,
    delimiter,
    decimal: guess.decimal,
    decimalEvidence: guess.evidence,
    header: sample.rows.length > 0 && (options.header === 'auto' ? detectHeader(sample.rows, guess.decimal) : options.header === 'yes'),
  }
}

const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)

/** the line of the first character the decoder could not read, if any */
function undecodableLine(text: string): number | undefined {
  const bad = text.indexOf('\ufffd')
  return bad < 0 ? undefined : 1 + breaksIn(text, 0, bad)
}

export function parseCsv(text: string, parse: ParseOptionsInput): Table {
  const options = parseOptionsSchema.parse(parse)
  return parseText(text, options, true, options.encoding)
}

/** `encoding`: the one the text was decoded from (a byte order mark overrides the chosen one) */
function parseText(text: string, options: ParseOptions, tryFast: boolean, encoding: ParseOptions['encoding']): Table {
  const clean = withoutBom(text)
  if (clean.trim() === '') throw labError('CSV_EMPTY', 'The file is empty: there is nothing to import.')
  const conventions: Conventions = { ...conventionsOf(clean, options, encoding), undecodableLine: undecodableLine(clean) }
  if (tryFast && clean.length > FAST_PATH_CHARS) {
    const bytes = Buffer.from(clean)
    const plan = planNumeric(clean, bytes, 0, 'encoded', conventions, options)
    const table = plan && plan.finish(parseNumericBytes(bytes, plan.start, bytes.length, plan.format))
    if (table) return table
  }
  return parseGeneral(clean, conventions, options)
}

/** the encodings in which every ASCII character is its own byte, so numbers can be read from the bytes */
type ByteEncoding = 'utf-8' | 'windows-1252'
const isByteEncoding = (e: ParseOptions['encoding']): e is ByteEncoding => e === 'utf-8' || e === 'windows-1252'

/** how many bytes `text` took in the file; undefined when a U+FFFD may stand for bytes the decoder could not read */
function byteLength(text: string, encoding: ByteEncoding | 'encoded'): number | undefined {
  switch (encoding) {
    case 'encoded':
      return Buffer.byteLength(text)
    case 'utf-8':
      return text.includes('\ufffd') ? undefined : Buffer.byteLength(text)
    case 'windows-1252':
      return text.length
    default:
      return assertNever(encoding)
  }
}
/** enough bytes to decode at least SAMPLE_CHARS + 1 characters of any encoding (4 bytes at most per UTF-16 pair) */
const PREFIX_BYTES = 4 * (SAMPLE_CHARS + 2)

/**
 * A large file whose body may be all numbers, to be read straight from its bytes: `finish` turns
 * the numbers read from bytes[start, end) into the Table, or says null when they could not all be
 * read (the general parser then reads the decoded text).
 */
export interface NumericPlan {
  start: number
  format: NumericFormat
  finish(part: NumericPart | null): Table | null
}

/** The plan for a file's bytes, or null when the file is small or UTF-16: parseCsv reads its decoded text. */
export function planCsvBytes(bytes: Uint8Array, parse: ParseOptionsInput): NumericPlan | null {
  const options = parseOptionsSchema.parse(parse)
  const encoding = sniffEncoding(bytes, options.encoding)
  if (bytes.length <= PREFIX_BYTES || !isByteEncoding(encoding)) return null
  // TextDecoder drops one UTF-8 byte order mark and parseCsv a second one: 3 bytes each
  const decoded = decodeText(bytes.subarray(0, PREFIX_BYTES), encoding)
  const clean = withoutBom(decoded)
  const skipped = (hasUtf8Bom(bytes) && encoding === 'utf-8' ? 3 : 0) + (clean === decoded ? 0 : 3)
  if (clean.trim() === '') return null
  return planNumeric(clean, bytes, skipped, encoding, { ...conventionsOf(clean, options, encoding), undecodableLine: undefined }, options)
}

/**
 * Bytes -> Table: a large numeric file straight from its bytes, anything else as decoded text.
 * `readNumbers` reads the plan's numbers (in one thread, or split between two).
 */
export async function parseCsvBytes(
  bytes: Uint8Array,
  parse: ParseOptionsInput,
  readNumbers: (plan: NumericPlan) => Promise<NumericPart | null> | NumericPart | null = (plan) => parseNumericBytes(bytes, plan.start, bytes.length, plan.format),
): Promise<Table> {
  const options = parseOptionsSchema.parse(parse)
  const plan = planCsvBytes(bytes, options)
  const table = plan && plan.finish(await readNumbers(plan))
  return table ?? parseText(decodeCsv(bytes, options.encoding), options, !plan, sniffEncoding(bytes, options.encoding))
}

/** the text up to the last line break within `chars` (all of it when shorter; the start of the first line when that is longer) */
function completeLines(text: string, chars: number): string {
  if (text.length <= chars) return text
  const end = Math.max(text.lastIndexOf('\n', chars), text.lastIndexOf('\r', chars))
  return text.slice(0, end > 0 ? end : chars)
}

function parseGeneral(text: string, conventions: Conventions, options: ParseOptions): Table {
  const { delimiter, header } = conventions
  const { rows, lines, unclosedQuoteLine, longCell } = tokenize(text, delimiter)
  if (longCell) throw cellTooLong(longCell.line, header && lines[0] < longCell.line ? rows[0][longCell.index] : undefined)
  if (unclosedQuoteLine !== undefined) {
    throw labError(
      'CSV_RAGGED_ROW',
      `A quoted cell opens on line ${unclosedQuoteLine} and is never closed, so everything after it would be one cell. Check the quotes on that line.`,
      { line: unclosedQuoteLine },
    )
  }
  if (rows.length === 0) throw labError('CSV_EMPTY', 'The file is empty: there is nothing to import.')
  const start = header ? 1 : 0
  if (rows.length === start) {
    throw labError('CSV_NO_ROWS', `The file has a header row (line ${lines[0]}) but no data rows below it.`, { line: lines[0] })
  }
  const width = header ? rows[0].length : mostCommonWidth(rows)
  if (width > MAX_COLUMNS) throw tooManyColumns(width, lines[header ? 0 : rows.findIndex((r) => r.length === width)], delimiterName(delimiter))
  const named = header ? headerNames(rows[0], lines[0]) : undefined
  const kept: number[] = []
  let ragged: RaggedRows | null = null
  for (let i = start; i < rows.length; i++) {
    if (rows[i].length === width) {
      kept.push(i)
      continue
    }
    ragged ??= { count: 0, first: { line: lines[i], cells: rows[i].length }, lines: [], width, skipped: options.badRows === 'skip' }
    ragged.count++
    if (ragged.lines.length < RAGGED_LINES_KEPT) ragged.lines.push(lines[i])
  }
  if (kept.length === 0) {
    const first = ragged!.first
    throw labError(
      'CSV_RAGGED_ROW',
      `None of the ${ragged!.count} rows has the ${width} values of the ${header ? `header (line ${lines[0]})` : 'first row'}: line ${first.line} has ${first.cells}. ` +
        `Check the delimiter; the file was read with ${delimiterName(delimiter)}.`,
      { line: first.line },
    )
  }
  const names = named?.names ?? Array.from({ length: width }, (_, j) => `column ${j + 1}`)
  const keptLines = Int32Array.from(kept, (i) => lines[i])
  const columns = names.map((name, j) =>
    buildColumn(
      name,
      kept.length,
      (i) => rows[kept[i]][j],
      (i) => keptLines[i],
      conventions.decimal,
      options.badCells,
    ),
  )
  return {
    ...conventions,
    columns,
    rowCount: kept.length,
    renamed: named?.renamed ?? [],
    ragged,
    preview: kept.slice(0, PREVIEW_ROWS).map((i) => rows[i].map(previewCell)),
  }
}

/** Preview cells travel to the window: a 100 MB cell must not. */
const PREVIEW_CELL_CHARS = 200
function previewCell(cell: string): string {
  return cell.length > PREVIEW_CELL_CHARS ? `${cell.slice(0, PREVIEW_CELL_CHARS)}…` : cell
}

/** the first preview rows of the body, decoding only as much of it as they need (a character cut at the end is in a row not shown) */
function previewRows(bytes: Uint8Array, from: number, delimiter: string, encoding: CellEncoding): string[][] {
  for (let size = SAMPLE_CHARS; ; size *= 2) {
    const to = Math.min(bytes.length, from + size)
    const text = decodeCell(bytes, from, to, encoding)
    const tokens = tokenize(text, delimiter, PREVIEW_ROWS)
    if (to === bytes.length || (tokens.rows.length === PREVIEW_ROWS && tokens.end < text.length)) return tokens.rows.map((r) => r.map(previewCell))
  }
}

/** how many of the (ascending) rows in `blanks` are at or before row `i` */
function blanksUpTo(blanks: number[], i: number): number {
  let count = 0
  while (count < blanks.length && blanks[count] <= i) count++
  return count
}

/** the columns that hold text in the first rows of the body: the fast reader keeps their cells for buildColumn */
function textColumnsOf(clean: string, conventions: Conventions, width: number): boolean[] {
  const { delimiter, header, decimal } = conventions
  const sample = tokenize(completeLines(clean, SAMPLE_CHARS), delimiter, SAMPLE_ROWS).rows.slice(header ? 1 : 0)
  return Array.from({ length: width }, (_, j) => sample.some((row) => j < row.length && !isMissing(row[j]) && Number.isNaN(parseNumber(row[j], decimal))))
}

/**
 * A large file whose header (if any) ends within `clean`, the text of
 * bytes[skipped...] (decoded, or the text `bytes` encodes); null when anything needs the general parser.
 */
function planNumeric(clean: string, bytes: Uint8Array, skipped: number, encoding: ByteEncoding | 'encoded', conventions: Conventions, options: ParseOptions): NumericPlan | null {
  const { delimiter, header, decimal } = conventions
  if (delimiter.length !== 1) return null
  const head = tokenize(clean, delimiter, 1)
  if (head.rows.length === 0 || head.end >= clean.length) return null
  const headerText = clean.slice(0, header ? head.end : 0)
  const headerBytes = byteLength(headerText, encoding)
  if (headerBytes === undefined) return null
  const start = skipped + headerBytes
  if (head.rows[0].length > MAX_COLUMNS) throw tooManyColumns(head.rows[0].length, head.lines[0], delimiterName(delimiter))
  const named = header ? headerNames(head.rows[0], head.lines[0]) : undefined
  const names = named?.names ?? head.rows[0].map((_, j) => `column ${j + 1}`)
  const textColumns = textColumnsOf(clean, conventions, names.length)
  // the line the body starts on, for the lines of a text column's cells
  const firstLine = header ? head.endLine : 1
  const column = (part: NumericPart, name: string, j: number): Column => {
    const cells = part.cells?.[j]
    const rows = part.values[j].subarray(part.first, part.first + part.rowCount)
    if (cells) return dictionaryColumn(name, rows, cells, (i) => firstLine + i + blanksUpTo(part.blanks!, i), decimal, options.badCells)
    return { name, kind: 'numeric', values: rows, missing: part.missing[j] }
  }
  const cellEncoding = encoding === 'encoded' ? 'utf-8' : encoding
  return {
    start,
    format: { width: names.length, delimiter, decimal, encoding: cellEncoding, ...(textColumns.some(Boolean) ? { textColumns } : {}) },
    finish: (part) => {
      // a numeric column with no value at all is not numeric: the general parser types it
      if (!part || part.missing.some((m, j) => !textColumns[j] && m === part.rowCount)) return null
      return {
        ...conventions,
        undecodableLine: undecodableLine(headerText),
        columns: names.map((name, j) => column(part, name, j)),
        rowCount: part.rowCount,
        renamed: named?.renamed ?? [],
        ragged: null,
        preview: previewRows(bytes, start, delimiter, cellEncoding),
      }
    },
  }
}
