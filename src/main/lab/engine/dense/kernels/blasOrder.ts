/**
 * The order torch 1.13's BLAS sums nn.Linear's weight gradient in, and that order in JavaScript.
 * torch computes dW = dyᵀ·x with one sgemm_ call (addmm_impl_cpu_ → cpublas::gemm, "N","T":
 * M = in_features, N = out_features, K = the batch's rows, C = dW column-major), which Debian's
 * OpenBLAS 0.3.21 runs on its Haswell kernel (the tests pin OPENBLAS_CORETYPE=Haswell,
 * docs/PARITY.md) on one thread while M·N·K ≤ 262,144. Read off that library's driver and kernel
 * (gdb on torch's own calls) and checked on every element of 1,600 sgemm_ shapes:
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
 * - each block's sum is added to C (fma with alpha 1 on C, zeroed first by beta 0).
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
 * dw[o, j] = Σ_r dy[r, o] · x[r, j] for j in [from, to), in torch's order (above): dy [n, m],
 * x [n, k], dw [m, k]; added to what dw held when accumulate (as .grad accumulates)
 */
function weightGradientRun(dy: Float32Array, x: Float32Array, dw: Float32Array, n: number, k: number, m: number, o: number, from: number, to: number, split: boolean, accumulate: boolean): void {
  for (let j = from; j < to; j++) {
    let c = 0
    for (let start = 0; start < n; ) {
      const end = start + blockLength(n - start)
      let even = 0
      let odd = 0
      let r = start
      if (split) {
        for (; end - r >= TILE; r += TILE) {
          for (let p = r; p < r + TILE; p += 2) {
            even = fmaf(dy[p * m + o], x[p * k + j], even)
            odd = fmaf(dy[(p + 1) * m + o], x[(p + 1) * k + j], odd)
          }
        }
      }
      for (; r < end; r++) even = fmaf(dy[r * m + o], x[r * k + j], even)
      c = Math.fround((split ? Math.fround(odd + even) : even) + c)
      start = end
    }
    dw[o * k + j] = accumulate ? Math.fround(dw[o * k + j] + c) : c
  }
}

/** dW = dyᵀ·x as torch's BLAS sums it: dy [n, m], x [n, k], dw [m, k] */
export function blasWeightGradient(dy: Float32Array, x: Float32Array, dw: Float32Array, n: number, k: number, m: number, accumulate: boolean): void {
  const runs = productRuns(k, m)
  for (let i = 0; i < runs.length; i += 4) weightGradientRun(dy, x, dw, n, k, m, runs[i], runs[i + 1], runs[i + 2], runs[i + 3] === 1, accumulate)
}
