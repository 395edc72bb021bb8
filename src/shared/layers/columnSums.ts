/**
 * The sum over the rows of a row-major float32 matrix [n, m] (a bias's gradient: dL/dy summed
 * over the batch) in the order torch 1.13's CPU `sum` adds them (ATen's cascade_sum in
 * SumKernel.cpp, with the 8-float vectors torch 1.13 dispatches to on x86-64 by default).
 *
 * Why the order matters: float32 addition is not associative, and some runs are decided by it.
 * L1Loss's gradient is ±1/n per row; when the signs balance, torch's order sums them to exactly
 * 0 where a running sum leaves ±2⁻²⁶ — and RMSprop, Adam and Adagrad divide a gradient by its
 * own running size, so 2⁻²⁶ becomes a full step of lr and torch's run (which does not move) is
 * left behind by 0.1–0.5 within 200 epochs.
 *
 * torch's scheme: a column is summed by `row_sum`, four interleaved accumulators (row i into
 * accumulator i mod 4, the rows after the last whole four into the first, then the four added
 * in order); four columns side by side (or 32 in vectors) are summed by `multi_row_sum`, one
 * running sum per column in chunks of 16 rows or more, each chunk carried into a cascade of
 * four levels. The whole matrix's columns go: m = 1 as one contiguous row (n ≥ 8: in 8-float
 * vectors, then the leftover values, then the 8 lanes); 2 ≤ m < 8 in fours, then one by one;
 * m ≥ 8 in 32s, then 8s (each lane a row_sum), then one by one.
 */

const LANES = 8
const ILP = 4
const LEVELS = 4
/** the widest group multi_row_sum works on: four 8-float vectors */
const WIDEST = ILP * LANES

const f = Math.fround

/** ⌈log₂ x⌉, and 1 for x ≤ 2 (c10's CeilLog2) */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : Math.ceil(Math.log2(x))
}

export class ColumnSums {
  /** multi_row_sum's cascade: LEVELS rows of WIDEST accumulators */
  private readonly acc = new Float32Array(LEVELS * WIDEST)
  /** row_sum's four partial sums per lane */
  private readonly partial = new Float32Array(WIDEST)

  /**
   * out[c] = Σ_r x[r·m + c] for c < m, rounded as torch rounds it.
   */
  sum(x: Float32Array, n: number, m: number, out: Float32Array): void {
    if (m === 1) {
      out[0] = n >= LANES ? this.vectorRow(x, n) : this.rowSums(x, 0, 1, n, 1)[0]
      return
    }
    let c = 0
    if (m >= LANES) {
      for (; c + WIDEST <= m; c += WIDEST) this.multiRowSum(x, c, m, 1, n, WIDEST, out, c)
      for (; c + LANES <= m; c += LANES) this.laneRowSums(x, c, m, n, out)
    } else {
      for (; c + ILP <= m; c += ILP) this.multiRowSum(x, c, m, 1, n, ILP, out, c)
    }
    for (; c < m; c++) out[c] = this.rowSums(x, c, m, n, 1)[0]
  }

  /**
   * multi_row_sum: `width` running sums side by side over `size` items; item i's value for
   * sum k is x[start + i·itemStride + k·laneStride]. Results go to out[outAt + k].
   */
  private multiRowSum(x: Float32Array, start: number, itemStride: number, laneStride: number, size: number, width: number, out: Float32Array, outAt: number): void {
    if (size === 0) {
      // a batch of fewer than four rows has no whole group for row_sum's partial sums
      out.fill(0, outAt, outAt + width)
      return
    }
    const acc = this.acc
    acc.fill(0)
    const levelPower = Math.max(4, Math.floor(ceilLog2(size) / LEVELS))
    const levelStep = 1 << levelPower
    const levelMask = levelStep - 1
    let i = 0
    while (i + levelStep <= size) {
      for (let j = 0; j < levelStep; j++, i++) {
        const base = start + i * itemStride
        for (let k = 0; k < width; k++) acc[k] = f(acc[k] + x[base + k * laneStride])
      }
      for (let level = 1; level < LEVELS; level++) {
        const into = level * WIDEST
        const from = (level - 1) * WIDEST
        for (let k = 0; k < width; k++) {
          acc[into + k] = f(acc[into + k] + acc[from + k])
          acc[from + k] = 0
        }
        if ((i & (levelMask << (level * levelPower))) !== 0) break
      }
    }
    for (; i < size; i++) {
      const base = start + i * itemStride
      for (let k = 0; k < width; k++) acc[k] = f(acc[k] + x[base + k * laneStride])
    }
    for (let level = 1; level < LEVELS; level++) for (let k = 0; k < width; k++) acc[k] = f(acc[k] + acc[level * WIDEST + k])
    for (let k = 0; k < width; k++) out[outAt + k] = acc[k]
  }

  /**
   * row_sum over `size` items x[start + i·stride] (each `lanes` wide, lane l at + l): four
   * interleaved partial sums, the items after the last whole four into the first, then the four
   * added in order. Lane l's sum ends in the scratch at l.
   */
  private rowSums(x: Float32Array, start: number, stride: number, size: number, lanes: number): Float32Array {
    const whole = Math.floor(size / ILP)
    const partial = this.partial
    // item i of multi_row_sum is items 4i … 4i+3 of the row, one per partial sum
    // lane by lane: a vector's lanes never mix
    for (let l = 0; l < lanes; l++) this.multiRowSum(x, start + l, ILP * stride, stride, whole, ILP, partial, ILP * l)
    for (let l = 0; l < lanes; l++) {
      const p = ILP * l
      for (let i = whole * ILP; i < size; i++) partial[p] = f(partial[p] + x[start + i * stride + l])
      for (let k = 1; k < ILP; k++) partial[p] = f(partial[p] + partial[p + k])
    }
    for (let l = 0; l < lanes; l++) partial[l] = partial[ILP * l]
    return partial
  }

  /** eight columns c … c+7 at once, each lane a row_sum over the n rows */
  private laneRowSums(x: Float32Array, c: number, m: number, n: number, out: Float32Array): void {
    const sums = this.rowSums(x, c, m, n, LANES)
    for (let l = 0; l < LANES; l++) out[c + l] = sums[l]
  }

  /** one contiguous row of n ≥ 8 values: row_sum over its 8-float vectors, then the leftovers, then the lanes */
  private vectorRow(x: Float32Array, n: number): number {
    const vectors = Math.floor(n / LANES)
    const lanes = this.rowSums(x, 0, LANES, vectors, LANES)
    let total = 0
    for (let i = vectors * LANES; i < n; i++) total = f(total + x[i])
    for (let l = 0; l < LANES; l++) total = f(total + lanes[l])
    return total
  }
}
