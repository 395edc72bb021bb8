/** What counts as a missing value and as a number in a CSV cell. */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-'])
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

export function isMissing(cell: string): boolean {
  return MISSING.has(cell.trim().toLowerCase())
}

/** A number as a student writes it, with the chosen decimal mark; NaN when it is not one. */
export function parseNumber(cell: string, decimal: '.' | ','): number {
  let s = cell.trim()
  if (decimal === ',') s = s.replace(',', '.')
  if (NUMBER.test(s)) return Number(s)
  const lower = s.toLowerCase()
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity
  if (lower === '-inf' || lower === '-infinity') return -Infinity
  return NaN
}

