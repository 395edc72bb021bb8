/**
 * What a layer's dense runtime asks of the engine that runs it: arrays to keep its tensors in,
 * and nn.Linear's three matrix products. The dense engine injects its WebAssembly SIMD kernels
 * (their arrays live in the kernels' memory); without them these plain loops run, which are
 * also the kernels' JavaScript reference. Products round as torch's CPU kernels round a dot
 * product: each product and each sum in float32.
 */
export interface DenseOps {
  /** a zeroed array of `length` floats, valid for the engine's life */
  alloc(length: number): Float32Array
  /** y = x·Wᵀ + b: x [n, k], w [m, k] (torch's [out, in]), b [m], y [n, m] */
  linearForward(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, n: number, k: number, m: number): void
  /** dx = dy·W: dy [n, m], w [m, k], dx [n, k] */
  linearBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, n: number, k: number, m: number): void
  /** dw = dyᵀ·x, replacing what it held (the bias's gradient is ColumnSums', in torch's order) */
  linearBackwardWeight(dy: Float32Array, x: Float32Array, dw: Float32Array, n: number, k: number, m: number): void
}

/** Σ a[ao + j] · b[bo + j], every product and sum rounded to float32, so small layers agree with torch to the bit */
function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, k: number): number {
  let s = 0
  for (let j = 0; j < k; j++) s = Math.fround(s + Math.fround(a[ao + j] * b[bo + j]))
  return s
}

/** y[yo + j] += g · x[xo + j] */
function axpy(g: number, x: Float32Array, xo: number, y: Float32Array, yo: number, k: number): void {
  let j = 0
  for (; j + 3 < k; j += 4) {
    y[yo + j] += g * x[xo + j]
    y[yo + j + 1] += g * x[xo + j + 1]
    y[yo + j + 2] += g * x[xo + j + 2]
    y[yo + j + 3] += g * x[xo + j + 3]
  }
  for (; j < k; j++) y[yo + j] += g * x[xo + j]
}

export function linearForward(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, n: number, k: number, m: number): void {
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < m; o++) y[r * m + o] = Math.fround(dot(x, r * k, w, o * k, k) + b[o])
  }
}

export function linearBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, n: number, k: number, m: number): void {
  dx.fill(0, 0, n * k)
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < m; o++) {
      const g = dy[r * m + o]
      // ReLU zeroes many gradients; their rows add nothing
      if (g !== 0) axpy(g, w, o * k, dx, r * k, k)
    }
  }
}

/** dw += dyᵀ·x (as .grad accumulates) */
export function addWeightGrad(dy: Float32Array, x: Float32Array, dw: Float32Array, n: number, k: number, m: number): void {
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < m; o++) {
      const g = dy[r * m + o]
      if (g === 0) continue
      axpy(g, x, r * k, dw, o * k, k)
    }
  }
}

export const PLAIN_DENSE_OPS: DenseOps = {
  alloc: (length) => new Float32Array(length),
  linearForward,
  linearBackwardInput,
  linearBackwardWeight(dy, x, dw, n, k, m) {
    dw.fill(0, 0, m * k)
    addWeightGrad(dy, x, dw, n, k, m)
  },
}
