/** What counts as a missing value and as a number in a CSV cell, and how a cell is quoted back to a student. */
/**
 * Cells that are missing values, in lower case: pandas.read_csv's default NA strings (#N/A from a
 * spreadsheet, <NA>, -nan, 1.#IND, …) and the placeholders students type (?, -). The scripts
 * TorchLab exports write this same list, so they read a file as the lab did.
 */
export const MISSING_CELLS: readonly string[] = [
  '', 'na', 'n/a', 'nan', 'null', 'none', '?', '-',
  '#n/a', '#n/a n/a', '#na', '<na>', '-nan', '1.#ind', '-1.#ind', '1.#qnan', '-1.#qnan',
]
const MISSING = new Set(MISSING_CELLS)
const MISSING_CHARS = Math.max(...MISSING_CELLS.map((s) => s.length))
const INFINITY_CHARS = '-infinity'.length

/**
 * The largest magnitude a cell may hold: 2^64 ≈ 1.8e19, the square root of float32's largest value.
 * Training runs in float32 and squares errors, so a larger value overflows the loss on the first
 * step and the run "diverges" for a reason that has nothing to do with the learning rate. No
 * measurement in a teaching data set comes near it; a cell beyond it is a typo or a broken file.
 */
export const NUMBER_LIMIT = 2 ** 64

const isDigit = (c: number) => c >= 48 && c <= 57

/**
 * [+-] digits [. digits] [e [+-] digits], with a digit before or after the point. A scan, not a
 * regular expression: it stays linear on a 100 MB cell, where a RegExp takes seconds.
 */
export function isNumberShape(s: string): boolean {
  const n = s.length
  let i = s.charCodeAt(0) === 43 || s.charCodeAt(0) === 45 ? 1 : 0
  const start = i
  while (i < n && isDigit(s.charCodeAt(i))) i++
  let digits = i - start
  if (s.charCodeAt(i) === 46) {
    const fraction = ++i
    while (i < n && isDigit(s.charCodeAt(i))) i++
    digits += i - fraction
  }
  if (digits === 0) return false
  if (i < n && (s.charCodeAt(i) === 101 || s.charCodeAt(i) === 69)) {
    i++
    if (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45) i++
    const exponent = i
    while (i < n && isDigit(s.charCodeAt(i))) i++
    if (i === exponent) return false
  }
  return i === n
}

/**
 * A cell without the spaces and tabs around it, as pandas' parser skips them. Only ASCII ones:
 * JavaScript's trim() also drops a no-break space or a byte order mark (U+FEFF) that a pasted or
 * spliced file carries into a cell, and pandas then reads the column as text, not numbers.
 */
function trimmed(cell: string): string {
  let start = 0
  let end = cell.length
  while (start < end && ASCII_SPACE.has(cell.charCodeAt(start))) start++
  while (end > start && ASCII_SPACE.has(cell.charCodeAt(end - 1))) end--
  return start === 0 && end === cell.length ? cell : cell.slice(start, end)
}
const ASCII_SPACE = new Set([9, 10, 11, 12, 13, 32])

export function isMissing(cell: string): boolean {
  const s = trimmed(cell)
  return s.length <= MISSING_CHARS && MISSING.has(s.toLowerCase())
}

/** A number as a student writes it, with the chosen decimal mark; NaN when it is not one. */
export function parseNumber(cell: string, decimal: '.' | ','): number {
  let s = trimmed(cell)
  if (decimal === ',') s = s.replace(',', '.')
  if (isNumberShape(s)) return Number(s)
  if (s.length > INFINITY_CHARS) return NaN
  const lower = s.toLowerCase()
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity
  if (lower === '-inf' || lower === '-infinity') return -Infinity
  return NaN
}

/** true for infinities and for numbers too large to train on (NaN is not out of range: it is not a number) */
export function outOfRange(value: number): boolean {
  return Math.abs(value) >= NUMBER_LIMIT
}

const SHOWN_CHARS = 24

/** A cell as a message quotes it: control characters escaped, a long cell cut short with its length. */
export function shown(cell: string): string {
  const escaped = (cell.length > SHOWN_CHARS ? cell.slice(0, SHOWN_CHARS) : cell).replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  return cell.length > SHOWN_CHARS ? `"${escaped}…" (${cell.length.toLocaleString('en-US')} characters)` : `"${escaped}"`
}
