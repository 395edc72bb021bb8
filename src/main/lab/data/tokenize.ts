/**
 * CSV text -> rows of cells, each with the line it starts on. Quotes as RFC 4180 ("" inside a
 * quoted cell is one quote; a quote inside an unquoted cell is an ordinary character). A line ends
 * at LF, CRLF or a lone CR, mixed in any order, and lines are counted as an editor counts them, so
 * every message can name the line a student will find. Blank lines are skipped but counted.
 * Never throws: an unclosed quote is reported with the line it opens on, and reading stops at a
 * cell longer than MAX_CELL_CHARS, before it is built.
 */
import { MAX_CELL_CHARS } from '../limits'

const QUOTE = 34
const LF = 10
const CR = 13

export interface Tokens {
  rows: string[][]
  /** the line each row starts on (1-based) */
  lines: number[]
  /** where reading stopped: the offset after the last row read, and that offset's line */
  end: number
  endLine: number
  /** a quoted cell that opens on this line is never closed: the rest of the text would be one cell */
  unclosedQuoteLine?: number
  /** the first cell longer than MAX_CELL_CHARS: the line it starts on and its place in its row (from 0) */
  longCell?: { line: number; index: number }
}

/** line breaks in text[from, to), a CRLF counting once */
export function breaksIn(text: string, from: number, to: number): number {
  let count = 0
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k)
    if (c === LF || (c === CR && text.charCodeAt(k + 1) !== LF)) count++
  }
  return count
}

export function tokenize(text: string, delimiter: string, maxRows = Infinity): Tokens {
  const sep = delimiter.charCodeAt(0)
  const n = text.length
  const rows: string[][] = []
  const lines: number[] = []
  let i = 0
  let line = 1
  while (i < n && rows.length < maxRows) {
    const rowLine = line
    const row: string[] = []
    for (;;) {
      let c = text.charCodeAt(i)
      let cell: string
      if (c === QUOTE) {
        const openLine = line
        let start = ++i
        cell = ''
        for (;;) {
          const q = text.indexOf('"', i)
          if (q < 0) return { rows, lines, end: n, endLine: line + breaksIn(text, i, n), unclosedQuoteLine: openLine }
          if (cell.length + q - start > MAX_CELL_CHARS) return { rows, lines, end: q, endLine: line, longCell: { line: openLine, index: row.length } }
          line += breaksIn(text, i, q)
          if (text.charCodeAt(q + 1) === QUOTE) {
            cell += text.slice(start, q + 1)
            i = start = q + 2
            continue
          }
          cell += text.slice(start, q)
          i = q + 1
          break
        }
        // text after the closing quote belongs to the cell, as Python's csv module reads it
        const rest = i
        for (c = text.charCodeAt(i); i < n && c !== sep && c !== LF && c !== CR; c = text.charCodeAt(++i));
        if (i > rest) cell += text.slice(rest, i)
      } else {
        const start = i
        while (i < n && c !== sep && c !== LF && c !== CR) c = text.charCodeAt(++i)
        cell = text.slice(start, i)
      }
      if (cell.length > MAX_CELL_CHARS) return { rows, lines, end: i, endLine: line, longCell: { line, index: row.length } }
      row.push(cell)
      if (c === sep) {
        i++
        continue
      }
      if (c === CR) i++
      if (i < n && text.charCodeAt(i) === LF) i++
      if (c === CR || c === LF) line++
      break
    }
    if (row.length > 1 || row[0].trim() !== '') {
      rows.push(row)
      lines.push(rowLine)
    }
  }
  return { rows, lines, end: i, endLine: line }
}
