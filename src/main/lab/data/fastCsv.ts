/**
 * The fast path for the common large CSV: numeric columns, and perhaps text columns (a class
 * label), each cell bare or in quotes (as spreadsheets and pandas' QUOTE_ALL write them). One pass
 * over the file's bytes (ASCII-compatible encodings only), numbers parsed in place into
 * Float64Arrays, no string for the file, nor for a cell of a numeric column, nor for a repeat of a
 * text cell (cellDictionary.ts). Returns null as soon as the file needs the general parser, which
 * names lines and records what is wrong: a quote inside a cell, a line break inside quotes, a text
 * cell in a numeric column, a byte outside ASCII in a numeric column or one the encoding cannot
 * read, a number out of range, a row of the wrong width.
 *
 * A range of a file can be read on its own when it starts at a line boundary, so two workers can
 * each read half of one file (splitAt), both into one set of columns in shared memory
 * (sharedSpaces, joinParts): the halves are never copied into a third set.
 */
import { isMissing, outOfRange, parseNumber } from './cells'
import { CellDictionary, type CellEncoding } from './cellDictionary'

const DIGIT_0 = 48
const NEWLINE = 10
const RETURN = 13
const QUOTE = 34
/** past the end of the range: ends a cell and a line */
const END = -1
/** a longer cell is no number worth reading here: the general parser says what it is */
const LONGEST_NUMBER_CHARS = 400
/** exact powers of ten: a mantissa below 2^53 divided or multiplied by one is correctly rounded, as Number() rounds */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`))

export interface NumericPart {
  /** one array per column: the part's rows are values[j][first, first + rowCount) (in a text column, each row's cell as its index in cells[j]) */
  values: Float64Array[]
  first: number
  missing: number[]
  rowCount: number
  /** a text column's distinct cells as the file holds them (without their quotes), in the order it first shows them; null for a numeric column */
  cells?: (string[] | null)[]
  /** with text columns: for each blank line skipped, the row after it, so a cell's line can be named (row r is on line r + the blanks up to r, from the range's start) */
  blanks?: number[]
}

/**
 * Where a range's rows are written: row r at values[j][first + r], with room for `room` rows. A
 * range with more rows moves them to arrays of its own (from row 0) and goes on there.
 */
export interface RowSpace {
  values: Float64Array[]
  first: number
  room: number
}

export interface NumericFormat {
  width: number
  delimiter: string
  decimal: '.' | ','
  /** the columns read as text, not numbers (the file's first lines show text in them) */
  textColumns?: readonly boolean[]
  /** how a text cell's bytes are decoded */
  encoding: CellEncoding
}

/** the first line start at or after `near` (after a CRLF as one break); `end` when no line starts there */
export function splitAt(bytes: Uint8Array, near: number, end: number): number {
  for (let i = near; i < end; i++) {
    const c = bytes[i]
    if (c === NEWLINE) return i + 1
    if (c === RETURN) return bytes[i + 1] === NEWLINE ? i + 2 : i + 1
  }
  return end
}

/** the cell bytes[from, to) as text, or null when it holds a byte outside ASCII (its meaning depends on the encoding) or a quote */
function asciiCell(bytes: Uint8Array, from: number, to: number): string | null {
  for (let k = from; k < to; k++) if (bytes[k] > 0x7f || bytes[k] === QUOTE) return null
  // apply, not a spread: a spread walks the bytes through an iterator, several times slower for a million cells
  return String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[])
}

/**
 * Where the cell from bytes[i] ends: at its closing quote when quoted, or -1 where a line break or
 * the range's end comes first (a line break inside quotes does not end the row, so a range split at
 * a line start could begin inside the cell: the general parser reads it); else at the separator,
 * the line break or the range's end.
 */
function cellEnd(bytes: Uint8Array, i: number, end: number, quoted: boolean, sep: number): number {
  for (; i < end; i++) {
    const c = bytes[i]
    if (quoted ? c === QUOTE : c === sep || c === NEWLINE || c === RETURN) return i
    if (c === NEWLINE || c === RETURN) return -1
  }
  return quoted ? -1 : end
}

/** bytes sampled to estimate how many rows a range holds */
const SAMPLE_BYTES = 64 * 1024

/**
 * The most rows bytes[start, end) can hold: a row of `width` cells is its width - 1 delimiters and
 * a newline at least. Room is never more than that: with a million columns, room for 1,024 rows
 * would be 8 GB of columns for a 14 MB file, outside the worker's heap limit.
 */
function mostRows(start: number, end: number, width: number): number {
  return Math.floor((end - start) / Math.max(1, width)) + 1
}

/**
 * About as many rows as bytes[start, end) holds, from the average line of its first 64 KB, with
 * a little room: the columns start that long and double when a file's later lines are shorter.
 * Room for as many rows as the bytes could hold would be several times the file's size, outside
 * the worker's heap limit, and could fail on a large valid file.
 */
function expectedRows(bytes: Uint8Array, start: number, end: number, width: number): number {
  const sampleEnd = Math.min(end, start + SAMPLE_BYTES)
  let lines = 0
  for (let at = bytes.indexOf(NEWLINE, start); at >= 0 && at < sampleEnd; at = bytes.indexOf(NEWLINE, at + 1)) lines++
  const estimate = lines === 0 ? 1024 : Math.max(1024, Math.ceil(((end - start) * lines * 1.05) / (sampleEnd - start)))
  return Math.min(estimate, mostRows(start, end, width))
}

/** arrays of a range's own, with room for about the rows it holds */
export function ownSpace(bytes: Uint8Array, start: number, end: number, width: number): RowSpace {
  const room = expectedRows(bytes, start, end, width)
  return { values: Array.from({ length: width }, () => new Float64Array(room)), first: 0, room }
}

/**
 * One set of columns in shared memory for two consecutive ranges, bytes[start, mid) and
 * bytes[mid, end), read by two threads at once: the first range's rows from row 0, the second's
 * after room for the rows the first is expected to hold. joinParts closes the gap between them.
 */
export function sharedSpaces(bytes: Uint8Array, start: number, mid: number, end: number, width: number): [RowSpace, RowSpace] {
  const firstRoom = expectedRows(bytes, start, mid, width)
  const secondRoom = expectedRows(bytes, mid, end, width)
  const values = Array.from({ length: width }, () => new Float64Array(new SharedArrayBuffer((firstRoom + secondRoom) * Float64Array.BYTES_PER_ELEMENT)))
  return [
    { values, first: 0, room: firstRoom },
    { values, first: firstRoom, room: secondRoom },
  ]
}

/** rows of bytes[start, end) (which starts at a line boundary) into numeric columns; null when the fast path does not apply */
export function parseNumericBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  format: NumericFormat,
  space: RowSpace = ownSpace(bytes, start, end, format.width),
): NumericPart | null {
  const { width, decimal, textColumns, encoding } = format
  const sep = format.delimiter.charCodeAt(0)
  const point = decimal.charCodeAt(0)
  let { values, first, room } = space
  const missing = new Array<number>(width).fill(0)
  const dictionaries = textColumns?.some(Boolean) ? Array.from({ length: width }, (_, j) => (textColumns[j] ? new CellDictionary() : null)) : undefined
  const blanks: number[] = []
  let row = 0
  let i = start
  while (i < end) {
    // skip blank lines (and a trailing newline) as the general parser does
    const c0 = bytes[i]
    if (c0 === NEWLINE || c0 === RETURN) {
      i += c0 === RETURN && bytes[i + 1] === NEWLINE ? 2 : 1
      if (dictionaries) blanks.push(row)
      continue
    }
    if (row === room) {
      room = Math.max(row + 1, Math.min(Math.max(2 * row, 1024), mostRows(start, end, width)))
      values = values.map((v) => {
        const grown = new Float64Array(room)
        grown.set(v.subarray(first, first + row))
        return grown
      })
      first = 0
    }
    const at = first + row
    let field = 0
    for (;;) {
      let c = i < end ? bytes[i] : END
      const quoted = c === QUOTE
      if (quoted) c = ++i < end ? bytes[i] : END
      const fieldStart = i
      const dictionary = field < width ? dictionaries?.[field] : undefined
      let value: number
      if (dictionary) {
        // a text column's cell, kept as it is: csv.ts types the column from its distinct cells as the general parser does
        i = cellEnd(bytes, i, end, quoted, sep)
        if (i < 0) return null
        value = dictionary.code(bytes, fieldStart, i)
        if (value < 0) return null
        c = i < end ? bytes[i] : END
      } else {
        // one field: [sign] digits [point digits] [e [sign] digits], or a missing marker, bare or in quotes
        let negative = false
        if (c === 45 || c === 43) {
          negative = c === 45
          c = ++i < end ? bytes[i] : END
        }
        let mantissa = 0
        let digits = 0
        let scale = 0
        while (c >= DIGIT_0 && c <= DIGIT_0 + 9) {
          mantissa = mantissa * 10 + (c - DIGIT_0)
          digits++
          c = ++i < end ? bytes[i] : END
        }
        if (c === point) {
          c = ++i < end ? bytes[i] : END
          while (c >= DIGIT_0 && c <= DIGIT_0 + 9) {
            mantissa = mantissa * 10 + (c - DIGIT_0)
            digits++
            scale--
            c = ++i < end ? bytes[i] : END
          }
        }
        let exponent = 0
        if (digits > 0 && (c === 101 || c === 69)) {
          let expNegative = false
          c = ++i < end ? bytes[i] : END
          if (c === 45 || c === 43) {
            expNegative = c === 45
            c = ++i < end ? bytes[i] : END
          }
          while (c >= DIGIT_0 && c <= DIGIT_0 + 9) {
            exponent = exponent * 10 + (c - DIGIT_0)
            c = ++i < end ? bytes[i] : END
          }
          if (expNegative) exponent = -exponent
        }
        const atEnd = quoted ? c === QUOTE : c === sep || c === NEWLINE || c === RETURN || c === END
        const e = scale + exponent
        if (digits > 0 && atEnd && digits <= 15 && e <= 22 && e >= -22) {
          value = e >= 0 ? mantissa * POW10[e] : mantissa / POW10[-e]
          if (outOfRange(value)) return null
          if (negative) value = -value
        } else {
          // anything unusual: let the cell end at the separator (or its closing quote) and judge its text
          i = cellEnd(bytes, i, end, quoted, sep)
          if (i < 0 || i - fieldStart > LONGEST_NUMBER_CHARS) return null
          c = i < end ? bytes[i] : END
          const cell = asciiCell(bytes, fieldStart, i)
          if (cell === null) return null
          if (isMissing(cell)) {
            value = NaN
            if (field < width) missing[field]++
          } else {
            value = parseNumber(cell, decimal)
            if (Number.isNaN(value) || outOfRange(value)) return null
          }
        }
      }
      if (quoted) {
        // past the closing quote the cell must end: a doubled quote or text after it is the general parser's to read
        c = ++i < end ? bytes[i] : END
        if (!(c === sep || c === NEWLINE || c === RETURN || c === END)) return null
      }
      if (field < width) values[field][at] = value
      field++
      if (c === sep) {
        i++
        continue
      }
      if (c === RETURN) i++
      if (i < end && bytes[i] === NEWLINE) i++
      break
    }
    row++
    if (field !== width) return null
  }
  if (!dictionaries) return { values, first, missing, rowCount: row }
  const cells = dictionaries.map((d) => d && d.cells(bytes, encoding))
  if (cells.some((c, j) => c === null && dictionaries[j])) return null
  return { values, first, missing, rowCount: row, cells, blanks }
}

/**
 * Two parts read from consecutive ranges of one file into the two spaces of one sharedSpaces
 * call, as one. When both fitted, the second part's rows move down to follow the first's, in
 * place; a part that outgrew its space holds its rows in arrays of its own (from row 0, where the
 * second space never starts), and then both are copied into new arrays. A text column's distinct
 * cells are the first part's, then the second's (a cell both show is there twice: csv.ts makes
 * one level of it), so the second part's codes move up past the first's cells.
 */
export function joinParts(spaces: [RowSpace, RowSpace], first: NumericPart, second: NumericPart): NumericPart {
  const rowCount = first.rowCount + second.rowCount
  const missing = first.missing.map((m, j) => m + second.missing[j])
  const rowsOf = (part: NumericPart, j: number) => part.values[j].subarray(part.first, part.first + part.rowCount)
  const inPlace = first.values === spaces[0].values && second.first === spaces[1].first
  const values = first.values.map((column, j) => {
    if (inPlace) {
      column.copyWithin(first.rowCount, second.first, second.first + second.rowCount)
      return column.subarray(0, rowCount)
    }
    const joined = new Float64Array(rowCount)
    joined.set(rowsOf(first, j))
    joined.set(rowsOf(second, j), first.rowCount)
    return joined
  })
  if (!first.cells || !second.cells) return { values, first: 0, missing, rowCount }
  const cells = first.cells.map((mine, j) => {
    const theirs = second.cells![j]
    if (!mine || !theirs) return null
    const codes = values[j]
    for (let r = first.rowCount; r < rowCount; r++) codes[r] += mine.length
    return mine.concat(theirs)
  })
  const blanks = [...first.blanks!, ...second.blanks!.map((r) => r + first.rowCount)]
  return { values, first: 0, missing, rowCount, cells, blanks }
}
