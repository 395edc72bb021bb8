/**
 * Closed-form least squares with an intercept, in double precision: the answer gradient
 * descent is trying to reach, shown beside the trained weights. Solved by Householder QR,
 * which stays accurate where the normal equations lose digits.
 */
import { labError } from '../../../shared/errors'

export interface OlsFit {
  coef: number[]
  intercept: number
}

/** x: [n, d] row-major */
export function leastSquares(x: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number): OlsFit {
  const p = d + 1
  if (n < p) {
    throw labError('TOO_FEW_ROWS', `Least squares needs at least ${p} rows for ${d} feature(s) and an intercept; there are ${n}.`)
  }
  // columns: intercept, then features (column-major copy for the reflections)
  const a = Array.from({ length: p }, (_, j) => Float64Array.from({ length: n }, (_, i) => (j === 0 ? 1 : x[i * d + j - 1])))
  const b = Float64Array.from({ length: n }, (_, i) => y[i])
  const scale = Math.max(...a.map((col) => Math.sqrt(col.reduce((s, v) => s + v * v, 0))))
  for (let k = 0; k < p; k++) {
    const col = a[k]
    let norm = 0
    for (let i = k; i < n; i++) norm += col[i] * col[i]
    norm = Math.sqrt(norm)
    if (norm <= 1e-12 * scale) {
      throw labError('INVALID_ARGUMENT', 'The features are collinear (one is a combination of the others), so least squares has no unique answer.')
    }
    const alpha = col[k] > 0 ? -norm : norm
    const v = Float64Array.from({ length: n - k }, (_, i) => col[k + i])
    v[0] -= alpha
    const vv = v.reduce((s, t) => s + t * t, 0)
    const reflect = (target: Float64Array): void => {
      let dot = 0
      for (let i = 0; i < v.length; i++) dot += v[i] * target[k + i]
      const f = (2 * dot) / vv
      for (let i = 0; i < v.length; i++) target[k + i] -= f * v[i]
    }
    for (let j = k; j < p; j++) reflect(a[j])
    reflect(b)
  }
  const beta = new Float64Array(p)
  for (let k = p - 1; k >= 0; k--) {
    let s = b[k]
    for (let j = k + 1; j < p; j++) s -= a[j][k] * beta[j]
    beta[k] = s / a[k][k]
  }
  return { intercept: beta[0], coef: Array.from(beta.subarray(1)) }
}
