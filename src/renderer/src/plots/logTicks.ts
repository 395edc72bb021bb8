/**
 * Ticks for a log axis a student can read: 1, 2 and 5 in every decade the data spans (only the
 * 1s when that would crowd the axis), labelled as plain numbers. Plotly's own log ticks label
 * every digit between decades ("0.09 0.08 0.07", or bare "2 5"), which overlap on a short axis.
 */
const MAX_TICKS = 8

export function logTickLabel(v: number): string {
  return v >= 1e4 || v < 1e-3 ? v.toExponential(0).replace('e+', 'e') : String(Number(v.toPrecision(1)))
}

/** undefined where plotly's own ticks serve (no positive data, or less than a 1-2-5 step apart) */
export function logTicks(values: readonly number[]): { tickvals: number[]; ticktext: string[] } | undefined {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (v > 0 && Number.isFinite(v)) {
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
  }
  if (!(hi > lo)) return undefined
  const first = Math.floor(Math.log10(lo))
  const last = Math.ceil(Math.log10(hi))
  const pick = (mantissas: number[], every: number) => {
    const out: number[] = []
    for (let k = first; k <= last; k++) {
      if ((k - first) % every !== 0) continue
      for (const m of mantissas) {
        // the decade's value as written (0.05), not 5 * 10 ** -2 (0.05000000000000001)
        const v = Number(`${m}e${k}`)
        if (v >= lo / 1.05 && v <= hi * 1.05) out.push(v)
      }
    }
    return out
  }
  let tickvals = pick([1, 2, 5], 1)
  if (tickvals.length > MAX_TICKS) tickvals = pick([1], 1)
  for (let every = 2; tickvals.length > MAX_TICKS; every++) tickvals = pick([1], every)
  if (tickvals.length < 2) return undefined
  return { tickvals, ticktext: tickvals.map(logTickLabel) }
}
