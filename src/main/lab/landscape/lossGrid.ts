/**
 * MSELoss of ŷ = w·x + b over a grid of (w, b). Pure: rows in, grid out. Each cell comes from the
 * rows' means and centred sums (two passes in float64) rather than a pass over the rows, so a map
 * of a million-row file costs the lab's thread one pass, not one per cell (121² of them): the
 * mean squared error a student could compute by hand, to double precision.
 */
import type { Landscape } from '../../../shared/landscape'
import { leastSquares } from '../train/ols'

export interface Rows {
  x: ArrayLike<number>
  y: ArrayLike<number>
  n: number
}

export interface GridAxes {
  w: { min: number; max: number }
  b: { min: number; max: number }
  resolution: number
}

/** what the mean squared error of any line needs of the rows: their means, and sums of products about them */
interface Moments {
  n: number
  xMean: number
  yMean: number
  sxx: number
  sxy: number
  syy: number
}

function momentsOf(rows: Rows): Moments {
  let xSum = 0
  let ySum = 0
  for (let i = 0; i < rows.n; i++) {
    xSum += rows.x[i]
    ySum += rows.y[i]
  }
  const xMean = xSum / rows.n
  const yMean = ySum / rows.n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < rows.n; i++) {
    const dx = rows.x[i] - xMean
    const dy = rows.y[i] - yMean
    sxx += dx * dx
    sxy += dx * dy
    syy += dy * dy
  }
  return { n: rows.n, xMean, yMean, sxx, sxy, syy }
}

/**
 * Σ(w·x + b − y)² / n split about the means: the spread the slope leaves, plus the offset of the
 * line at x's mean squared (the cross terms sum to zero). Never below 0, where rounding would take it.
 */
function mseAt(m: Moments, w: number, b: number): number {
  const offset = w * m.xMean + b - m.yMean
  return Math.max(0, (w * w * m.sxx - 2 * w * m.sxy + m.syy) / m.n) + offset * offset
}

/** n evenly spaced values from min to max, both included */
export function linspace(min: number, max: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? max : min + ((max - min) * i) / (n - 1)))
}

/**
 * Axes centred on the least-squares minimum: 2.5 times its slope and 1.2 times its intercept on
 * either side (at least 1), so the minimum, an nn.Linear start near 0 and the first steps of the
 * lecture's lr 0.02 (which zig-zags w up to +6.1 on cars at batch 2) are all on the map.
 */
export function defaultAxes(minimum: { w: number; b: number }, resolution: number): GridAxes {
  const dw = 2.5 * Math.max(1, Math.abs(minimum.w))
  const db = 1.2 * Math.max(1, Math.abs(minimum.b))
  return { w: { min: minimum.w - dw, max: minimum.w + dw }, b: { min: minimum.b - db, max: minimum.b + db }, resolution }
}

export function lossGrid(rows: Rows, axes: Partial<GridAxes> & { resolution: number }, names: { feature: string; target: string }): Landscape {
  const ols = leastSquares(rows.x, rows.y, rows.n, 1)
  const moments = momentsOf(rows)
  const minimum = { w: ols.coef[0], b: ols.intercept, loss: mseAt(moments, ols.coef[0], ols.intercept) }
  const fallback = defaultAxes(minimum, axes.resolution)
  const w = linspace((axes.w ?? fallback.w).min, (axes.w ?? fallback.w).max, axes.resolution)
  const b = linspace((axes.b ?? fallback.b).min, (axes.b ?? fallback.b).max, axes.resolution)
  let lo = Infinity
  let hi = -Infinity
  const loss = b.map((bj) =>
    w.map((wi) => {
      const l = mseAt(moments, wi, bj)
      lo = Math.min(lo, l)
      hi = Math.max(hi, l)
      return l
    }),
  )
  return { ...names, w, b, loss, minimum, range: { min: lo, max: hi } }
}
