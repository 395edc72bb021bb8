/**
 * nn.Linear's products for fewer than four inputs (k < 4) in kernels.wat's own order: with no
 * whole vector of inputs, its loops are scalar — every product and every sum rounded to
 * float32, in index order from zero — and these are those loops, so either gives the same
 * bits (sizeChoice.ts decides which runs). The forward product is denseOps' linearForward,
 * whose order is already this one.
 */

/** dx[r, j] = Σ_o dy[r, o] · w[o, j]: dy [n, m], w [m, k], dx [n, k] */
export function narrowBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, n: number, k: number, m: number): void {
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      let s = 0
      for (let o = 0; o < m; o++) s = Math.fround(s + Math.fround(dy[r * m + o] * w[o * k + j]))
      dx[r * k + j] = s
    }
  }
}

/** dw[o, j] = Σ_r dy[r, o] · x[r, j], replacing what it held */
export function narrowBackwardWeight(dy: Float32Array, x: Float32Array, dw: Float32Array, n: number, k: number, m: number): void {
  for (let o = 0; o < m; o++) {
    for (let j = 0; j < k; j++) {
      let s = 0
      for (let r = 0; r < n; r++) s = Math.fround(s + Math.fround(dy[r * m + o] * x[r * k + j]))
      dw[o * k + j] = s
    }
  }
}
