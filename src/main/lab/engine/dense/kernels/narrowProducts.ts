/**
 * nn.Linear's forward pass and dx for fewer than four inputs (k < 4), in torch 1.13's order: its
 * BLAS (OpenBLAS here) sums each output as a chain of fused multiply-adds in index order from
 * zero, and the forward pass adds the bias once at the end. Measured bit for bit against torch
 * on 750 shapes of 1–40 rows, 1–3 inputs, 1–40 outputs (tests/interop/narrowProducts.test.ts).
 * These layers never reach the SIMD kernels (sizeChoice.ts); their dW is blasOrder.ts's, in
 * JavaScript too (a chain of rounded products, as the SIMD kernels' scalar loops took it,
 * differed from torch's on the course's Linear(1, 1) in half of its batches).
 */
import { fmaf } from '../../../../../shared/float32'

/** y = x·Wᵀ + b: x [n, k], w [m, k], b [m], y [n, m] */
export function narrowForward(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, n: number, k: number, m: number): void {
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < m; o++) {
      let s = 0
      for (let j = 0; j < k; j++) s = fmaf(x[r * k + j], w[o * k + j], s)
      y[r * m + o] = Math.fround(s + b[o])
    }
  }
}

/** dx[r, j] = Σ_o dy[r, o] · w[o, j]: dy [n, m], w [m, k], dx [n, k] */
export function narrowBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, n: number, k: number, m: number): void {
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      let s = 0
      for (let o = 0; o < m; o++) s = fmaf(dy[r * m + o], w[o * k + j], s)
      dx[r * k + j] = s
    }
  }
}
