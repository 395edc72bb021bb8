/**
 * Numbers as `lab` prints them: the window's digits (shownNumber: six significant, no trailing
 * zeros), so one run reads the same in both. Arrays and records keep JSON's brackets; a loss that
 * became NaN prints as NaN, where JSON would print null.
 */
import { shownNumber } from '../../shared/shownNumber'

export function shownValue(v: unknown): string {
  if (typeof v === 'number') return shownNumber(v)
  if (Array.isArray(v)) return `[${v.map(shownValue).join(',')}]`
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${shownValue(x)}`).join(',')}}`
  return JSON.stringify(v) ?? String(v)
}
