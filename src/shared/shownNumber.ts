/** a number as the window shows it beside its formula: six significant digits, without trailing zeros */
export function shownNumber(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v)
}
