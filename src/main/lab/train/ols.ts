/**
 * Closed-form least squares with an intercept, in double precision: the answer gradient
 * descent is trying to reach, shown beside the trained weights. Solved by Householder QR,
 * which stays accurate where the normal equations lose digits.
 */
import { labError } from '../../../shared/errors'
import { numpyMean } from './metrics'

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
  // centred on np.average of each column, as scikit-learn's LinearRegression centres before it
  // solves: a constant target then gets coefficients of exactly 0 and its mean as the intercept,
  // and so sklearn's R² of 1, where the rounding of an intercept column left 0 or 1 to chance
  const xMean = Array.from({ length: d }, (_, j) => numpyMean(Float64Array.from({ length: n }, (_, i) => x[i * d + j])))
  const yMean = numpyMean(Float64Array.from({ length: n }, (_, i) => y[i]))
  const a = Array.from({ length: d }, (_, j) => Float64Array.from({ length: n }, (_, i) => x[i * d + j] - xMean[j]))
  const b = Float64Array.from({ length: n }, (_, i) => y[i] - yMean)
  const scale = Math.max(...a.map((col) => Math.sqrt(col.reduce((s, v) => s + v * v, 0))))
  for (let k = 0; k < d; k++) {
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
    for (let j = k; j < d; j++) reflect(a[j])
    reflect(b)
  }
  const coef = new Array<number>(d).fill(0)
  for (let k = d - 1; k >= 0; k--) {
    let s = b[k]
    for (let j = k + 1; j < d; j++) s -= a[j][k] * coef[j]
    coef[k] = s / a[k][k]
  }
  // sklearn's y_offset − X_offset · coef
  let offset = 0
  for (let j = 0; j < d; j++) offset += xMean[j] * coef[j]
  return { intercept: yMean - offset, coef }
}
