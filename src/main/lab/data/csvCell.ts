/** One cell of a CSV TorchLab writes, as a spreadsheet opens it without running it. */
import { isNumberShape } from './cells'

/** a spreadsheet reads a cell that starts with one of these as a formula (OWASP's list for CSV injection) */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * A number as it is; a text quoted when it holds a quote, a comma or a line break, and with a
 * leading apostrophe when a spreadsheet would run it as a formula (=cmd|' /C calc'!A0 from a
 * stranger's column name or class), which spreadsheets then show as the text it is. A text that
 * is a number (-1, +3) is left alone: it is data, and spreadsheets read it as that number.
 */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value)
  const text = FORMULA_START.test(value) && !isNumberShape(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
