/** A file's conventions, read from its first rows: the delimiter, the decimal mark, whether it has a header. */
import { isNumberShape, parseNumber } from './cells'
import { tokenize } from './tokenize'

/** rows read to decide; enough to see past a title row or a few ragged lines */
export const SAMPLE_ROWS = 50
const DELIMITERS = [',', ';', '\t', '|'] as const

type Delimiter = (typeof DELIMITERS)[number]

interface Score {
  delimiter: Delimiter
  /** share of rows that have the most common number of cells */
  consistency: number
  /** share of cells that read as numbers with either decimal mark */
  numeric: number
  width: number
}

function scoreOf(text: string, delimiter: Delimiter): Score | null {
  const { rows } = tokenize(text, delimiter, SAMPLE_ROWS)
  const counts = new Map<number, number>()
  for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1)
  const [width, often] = [...counts].reduce((a, b) => (b[1] > a[1] || (b[1] === a[1] && b[0] > a[0]) ? b : a), [0, 0])
  if (width < 2) return null
  let cells = 0
  let numbers = 0
  for (const r of rows) {
    for (const c of r) {
      cells++
      if (!Number.isNaN(parseNumber(c, ',')) || !Number.isNaN(parseNumber(c, '.'))) numbers++
    }
  }
  return { delimiter, consistency: often / rows.length, numeric: numbers / cells, width }
}

/**
 * The delimiter that splits the most rows into the same number of cells. A tie (`1;2,5` splits
 * evenly both ways) goes to the one whose cells read as numbers, then to the wider split.
 */
export function detectDelimiter(text: string): Delimiter {
  const scores = DELIMITERS.map((d) => scoreOf(text, d)).filter((s): s is Score => s !== null)
  const better = (a: Score, b: Score): Score =>
    b.consistency !== a.consistency ? (b.consistency > a.consistency ? b : a) : b.numeric !== a.numeric ? (b.numeric > a.numeric ? b : a) : b.width > a.width ? b : a
  return scores.length === 0 ? ',' : scores.reduce(better).delimiter
}

const COMMA_NUMBER = /^[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?$/

export interface DecimalGuess {
  decimal: '.' | ','
  /** a cell that shows the comma, for the note that says what was detected */
  evidence?: string
}

/**
 * A comma when more cells are written like 2,62 than like 2.62. A comma-separated file keeps the
 * point: a spreadsheet that writes decimal commas separates cells with semicolons, and a quoted
 * "1,234" there is a thousands separator, not a decimal.
 */
export function detectDecimal(rows: string[][], delimiter: string): DecimalGuess {
  if (delimiter === ',') return { decimal: '.' }
  let commas = 0
  let points = 0
  let evidence: string | undefined
  for (const r of rows) {
    for (const cell of r) {
      const s = cell.trim()
      if (COMMA_NUMBER.test(s)) {
        commas++
        evidence ??= s
      } else if (s.includes('.') && isNumberShape(s)) points++
    }
  }
  return commas > points ? { decimal: ',', evidence } : { decimal: '.' }
}

/**
 * A header row is one whose cells are all text where the rows below hold numbers somewhere. A
 * name may be blank (pandas' to_csv writes its index under a blank name, a trailing delimiter
 * leaves one), as long as some name is not.
 */
export function detectHeader(rows: string[][], decimal: '.' | ','): boolean {
  const isText = (c: string) => Number.isNaN(parseNumber(c, decimal))
  const first = rows[0]
  if (rows.length < 2) return first.every(isText)
  if (!first.every(isText) || first.every((c) => c.trim() === '')) return false
  const sample = rows.slice(1, SAMPLE_ROWS)
  const someNumericColumn = first.some((_, j) => sample.some((r) => r[j] !== undefined && !isText(r[j])))
  const allTextColumns = first.every((_, j) => sample.every((r) => r[j] === undefined || isText(r[j])))
  return someNumericColumn || (allTextColumns && new Set(first).size === first.length)
}
