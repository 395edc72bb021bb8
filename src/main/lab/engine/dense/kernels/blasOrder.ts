/**
 * The order torch 1.13's BLAS sums nn.Linear's three products in, and those products in
 * JavaScript. torch computes each with one sgemm_ call (addmm_impl_cpu_ → cpublas::gemm; C
 * column-major M × N, summed over K): the forward pass M = out_features, N = rows, K =
 * in_features, beta 1 on the bias; dx M = in_features, N = rows, K = out_features; dW = dyᵀ·x
 * M = in_features, N = out_features, K = rows (with one output or one input the other side is 1:
 * plain chains either way). Debian's OpenBLAS 0.3.21 runs them on its Haswell kernel (the tests
 * pin OPENBLAS_CORETYPE=Haswell, docs/PARITY.md) on one thread while M·N·K ≤ 262,144. Read off
 * that library's driver and kernel (gdb on torch's own calls) and checked on every element of
 * 1,600 sgemm_ shapes:
 * - the driver (level3.c) takes K in blocks of GEMM_Q = 320 (between 320 and 640 rows left, half
 *   of them rounded up to 8), M in blocks of GEMM_P = 320 (the same rule), and in the first M
 *   block hands the kernel N in chunks of 12, else 4, else what is left (1–4); a later M block
 *   gets every column at once and the kernel cuts it 12, 8, 4, 2, 1;
 * - the kernel sums each element of a K block as one chain of fused multiply-adds over the rows
 *   in order, except in some tiles of 8 rows of M: there it keeps two chains, the even and the odd
 *   rows of each run of 8 (the rows past the last run of 8 on the even one), and adds the odd
 *   chain to the even one at the end. Those tiles: every whole tile of a 4-column chunk, and in a
 *   12-column chunk with B ≥ 2 whole tiles (its 16-row loop, software-pipelined), tile 0 for
 *   columns 0–5 and tile B − 1 for columns 0–5 (B even) or 6–11 (B odd);
 * - each block's sum is added to C (fma with alpha 1 on C: zeroed first by beta 0, or the bias).
 * With more work OpenBLAS splits M and N between its threads, as many as the machine has cores
 * (torch.set_num_threads does not reach it), which moves the tiles: not followed, the order above
 * is taken for every size.
 */
import { fmaf } from '../../../../../shared/float32'

/** GEMM_P and GEMM_Q: the driver's blocks of M and of K */
const BLOCK = 320
/** GEMM_UNROLL_M: a block between one and two BLOCKs long is halved and rounded up to this; the kernel's tiles are as tall */
const TILE = 8

/** the length of the driver's next block of M or K, with `left` still to go */
export function blockLength(left: number): number {
  if (left >= 2 * BLOCK) return BLOCK
  return left > BLOCK ? Math.ceil(Math.floor(left / 2) / TILE) * TILE : left
}

/** the widths the kernel takes `columns` in: the driver's chunks (first M block) or its own cut (later blocks) */
function columnCuts(columns: number, driver: boolean): number[] {
  const cuts: number[] = []
  for (let left = columns; left > 0; ) {
    const width = driver ? (left >= 12 ? 12 : left > 4 ? 4 : left) : left > 11 ? 12 : left > 7 ? 8 : left > 3 ? 4 : left > 1 ? 2 : 1
    cuts.push(width)
    left -= width
  }
  return cuts
}

/** whether the kernel sums column c of a `width`-column cut in tile t of a block with `tiles` whole tiles as two chains */
function splitTile(width: number, c: number, t: number, tiles: number): boolean {
  if (width === 4) return true
  if (width !== 12 || tiles < 2) return false
  return (t === 0 && c < 6) || (t === tiles - 1 && (tiles % 2 === 0 ? c < 6 : c >= 6))
}

/**
 * the runs of rows [start, end) of each column of an M × N product that the kernel sums alike:
 * `split` where it keeps two chains. Flat: column, start, end, split (0 or 1), per run.
 */
function computeRuns(rows: number, columns: number): Int32Array {
  const runs: number[] = []
  const perColumn: number[][] = Array.from({ length: columns }, () => [])
  for (let start = 0; start < rows; ) {
    const length = blockLength(rows - start)
    const tiles = Math.floor(length / TILE)
    let col = 0
    for (const width of columnCuts(columns, start === 0)) {
      for (let c = 0; c < width; c++, col++) {
        const column = perColumn[col]
        for (let t = 0; t * TILE < length; t++) {
          const split = t < tiles && splitTile(width, c, t, tiles) ? 1 : 0
          const from = start + t * TILE
          const to = Math.min(from + TILE, start + length)
          const last = column.length - 3
          if (last >= 0 && column[last + 1] === from && column[last + 2] === split) column[last + 1] = to
          else column.push(from, to, split)
        }
      }
    }
    start += length
  }
  perColumn.forEach((column, c) => {
    for (let i = 0; i < column.length; i += 3) runs.push(c, column[i], column[i + 1], column[i + 2])
  })
  return Int32Array.from(runs)
}

const RUNS = new Map<number, Int32Array>()

/** computeRuns, kept per shape: a layer asks for the same two sizes every step */
export function productRuns(rows: number, columns: number): Int32Array {
  const key = rows * 8192 + columns
  let runs = RUNS.get(key)
  if (!runs) {
    runs = computeRuns(rows, columns)
    RUNS.set(key, runs)
  }
  return runs
}

/**
 * rows [from, to) of one column of a product in torch's order (above): c[cAt + i] (+)= Σ_q
 * a[aAt + i·aLane + q·aStep] · b[bAt + q·bStep] over q < depth, c starting at zero, or with beta
 * at what it holds (BLAS's beta 1: the forward pass's bias)
 */
function productColumn(a: Float32Array, aAt: number, aStep: number, aLane: number, b: Float32Array, bAt: number, bStep: number, c: Float32Array, cAt: number, depth: number, from: number, to: number, split: boolean, beta: boolean): void {
  for (let i = from; i < to; i++) {
    const ai = aAt + i * aLane
    let sum = beta ? c[cAt + i] : 0
    for (let start = 0; start < depth; ) {
      const end = start + blockLength(depth - start)
      let even = 0
      let odd = 0
      let q = start
      if (split) {
        for (; end - q >= TILE; q += TILE) {
          for (let p = q; p < q + TILE; p += 2) {
            even = fmaf(a[ai + p * aStep], b[bAt + p * bStep], even)
            odd = fmaf(a[ai + (p + 1) * aStep], b[bAt + (p + 1) * bStep], odd)
          }
        }
      }
      for (; q < end; q++) even = fmaf(a[ai + q * aStep], b[bAt + q * bStep], even)
      sum = Math.fround((split ? Math.fround(odd + even) : even) + sum)
      start = end
    }
    c[cAt + i] = sum
  }
}

/**
 * y = x·Wᵀ + b as torch's BLAS sums it (M = outputs, N = rows, K = inputs, the bias in C first):
 * x [n, k], w [m, k], b [m], y [n, m]
 */
export function blasForward(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, n: number, k: number, m: number): void {
  const bias = b.subarray(0, m)
  for (let r = 0; r < n; r++) y.set(bias, r * m)
  const runs = productRuns(m, n)
  for (let i = 0; i < runs.length; i += 4) {
    const r = runs[i]
    productColumn(w, 0, 1, k, x, r * k, 1, y, r * m, k, runs[i + 1], runs[i + 2], runs[i + 3] === 1, true)
  }
}

/** dx = dy·W as torch's BLAS sums it (M = inputs, N = rows, K = outputs): dy [n, m], w [m, k], dx [n, k] */
export function blasInputGradient(dy: Float32Array, w: Float32Array, dx: Float32Array, n: number, k: number, m: number): void {
  const runs = productRuns(k, n)
  for (let i = 0; i < runs.length; i += 4) {
    const r = runs[i]
    productColumn(w, 0, k, 1, dy, r * m, 1, dx, r * k, m, runs[i + 1], runs[i + 2], runs[i + 3] === 1, false)
  }
}

/**
 * dW = dyᵀ·x as torch's BLAS sums it (M = inputs, N = outputs, K = rows): dy [n, m], x [n, k],
 * dw [m, k]; with accumulate added to what dw holds, as BLAS's beta 1 adds
 */
export function blasWeightGradient(dy: Float32Array, x: Float32Array, dw: Float32Array, n: number, k: number, m: number, accumulate: boolean): void {
  const runs = productRuns(k, m)
  for (let i = 0; i < runs.length; i += 4) {
    const o = runs[i]
    productColumn(x, 0, k, 1, dy, o, m, dw, o * k, n, runs[i + 1], runs[i + 2], runs[i + 3] === 1, accumulate)
  }
}
