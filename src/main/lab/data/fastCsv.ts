/**
 * The fast path for the common large CSV: no quotes, every column numeric. One pass over the
 * text's character codes, numbers parsed in place into Float64Arrays, no string per cell.
 * Returns null as soon as the file needs the general parser, which names lines and records what
 * is wrong: a quote, a text cell, a number out of range, a row of the wrong width.
 */
import { isMissing, outOfRange, parseNumber } from './cells'
import type { NumericColumn } from './table'

const DIGIT_0 = 48
const NEWLINE = 10
const RETURN = 13
/** a longer cell is no number worth reading here: the general parser says what it is */
const LONGEST_NUMBER_CHARS = 400

export interface FastResult {
  columns: NumericColumn[]
  rowCount: number
}

/** rows after `start` (the header's end, or 0) into numeric columns; null when the fast path does not apply */
export function parseNumericBody(text: string, start: number, names: string[], delimiter: string, decimal: '.' | ','): FastResult | null {
  if (text.indexOf('"', start) >= 0 || delimiter.length !== 1) return null
  const width = names.length
  const sep = delimiter.charCodeAt(0)
  const point = decimal.charCodeAt(0)
  let capacity = 1024
  let values = names.map(() => new Float64Array(capacity))
  const missing = new Array<number>(width).fill(0)
  let row = 0
  let i = start
  const n = text.length
  while (i < n) {
    // skip blank lines (and a trailing newline) as the general parser does
    const c0 = text.charCodeAt(i)
    if (c0 === NEWLINE || c0 === RETURN) {
      i++
      continue
    }
    if (row === capacity) {
      capacity *= 2
      values = values.map((v) => {
        const grown = new Float64Array(capacity)
        grown.set(v)
        return grown
      })
    }
    let field = 0
    for (;;) {
      // one field: [sign] digits [point digits] [e [sign] digits], or a missing marker
      const fieldStart = i
      let negative = false
      let c = text.charCodeAt(i)
      if (c === 45 || c === 43) {
        negative = c === 45
        c = text.charCodeAt(++i)
      }
      let mantissa = 0
      let digits = 0
      let scale = 0
      while (c >= DIGIT_0 && c <= DIGIT_0 + 9) {
        mantissa = mantissa * 10 + (c - DIGIT_0)
        digits++
        c = text.charCodeAt(++i)
      }
      if (c === point) {
        c = text.charCodeAt(++i)
        while (c >= DIGIT_0 && c <= DIGIT_0 + 9) {
          mantissa = mantissa * 10 + (c - DIGIT_0)
          digits++
          scale--
          c = text.charCodeAt(++i)
        }
      }
      let exponent = 0
      if (digits > 0 && (c === 101 || c === 69)) {
        let expNegative = false
        c = text.charCodeAt(++i)
        if (c === 45 || c === 43) {
          expNegative = c === 45
          c = text.charCodeAt(++i)
        }
        while (c >= DIGIT_0 && c <= DIGIT_0 + 9) {
          exponent = exponent * 10 + (c - DIGIT_0)
          c = text.charCodeAt(++i)
        }
        if (expNegative) exponent = -exponent
      }
      const atEnd = c === sep || c === NEWLINE || c === RETURN || Number.isNaN(c)
      let value: number
      if (digits > 0 && atEnd && digits <= 15 && Math.abs(scale + exponent) <= 22) {
        const e = scale + exponent
        value = e >= 0 ? mantissa * 10 ** e : mantissa / 10 ** -e
        if (outOfRange(value)) return null
        if (negative) value = -value
      } else {
        // anything unusual: let the cell end at the separator and judge its text
        while (!(c === sep || c === NEWLINE || c === RETURN || Number.isNaN(c))) c = text.charCodeAt(++i)
        if (i - fieldStart > LONGEST_NUMBER_CHARS) return null
        const cell = text.slice(fieldStart, i)
        if (isMissing(cell)) {
          value = NaN
          if (field < width) missing[field]++
        } else {
          value = parseNumber(cell, decimal)
          if (Number.isNaN(value) || outOfRange(value)) return null
        }
      }
      if (field < width) values[field][row] = value
      field++
      if (c === sep) {
        i++
        continue
      }
      if (c === RETURN) i++
      if (text.charCodeAt(i) === NEWLINE) i++
      break
    }
    row++
    if (field !== width) return null
  }
  // a column with no value at all is not numeric: the general parser types it
  if (missing.some((m) => m === row)) return null
  return {
    rowCount: row,
    columns: names.map((name, j) => ({ name, kind: 'numeric', values: values[j].slice(0, row), missing: missing[j] })),
  }
}
