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
/** the smallest chunk a cascade carries into its levels: 2⁴ items */
const MIN_LEVEL_STEP = 16

/** ⌈log₂ x⌉, and 1 for x ≤ 2 (c10's CeilLog2) */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : Math.ceil(Math.log2(x))
}

export class ColumnSums {
  /** multi_row_sum's cascade: LEVELS rows of WIDEST accumulators */
  private readonly acc = new Float32Array(LEVELS * WIDEST)

  /**
   * out[c] = Σ_r x[r·m + c] for c < m, rounded as torch rounds it.
   */
  sum(x: Float32Array, n: number, m: number, out: Float32Array): void {
    if (m === 1) {
      out[0] = contiguousSum(x, n)
      return
    }
    let c = 0
    const group = m >= LANES ? WIDEST : ILP
    for (; c + group <= m; c += group) this.multiRowSum(x, c, m, 1, n, group, out, c)
    // then eight columns at once in vectors, or one by one: each a row_sum, as lanes never mix
    for (; c < m; c++) out[c] = rowSum(x, c, m, n)
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
    for (let level = 0; level < LEVELS; level++) acc.fill(0, level * WIDEST, level * WIDEST + width)
    const levelPower = Math.max(Math.log2(MIN_LEVEL_STEP), Math.floor(ceilLog2(size) / LEVELS))
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
}

/**
 * multi_row_sum for one running sum: x[start + i·stride] for i < size, in chunks of 2^levelPower
 * items carried into a cascade of four levels: multi_row_sum's arithmetic for one of its sums,
 * which never mix.
 */
function cascade(x: Float32Array, start: number, stride: number, size: number): number {
  // fewer items than the smallest chunk: one running sum, the levels stay zeros
  if (size < MIN_LEVEL_STEP) {
    let s = 0
    for (let i = 0; i < size; i++) s = f(s + x[start + i * stride])
    return s
  }
  const levelPower = Math.max(Math.log2(MIN_LEVEL_STEP), Math.floor(ceilLog2(size) / LEVELS))
  const levelStep = 1 << levelPower
  const levelMask = levelStep - 1
  let a0 = 0
  let a1 = 0
  let a2 = 0
  let a3 = 0
  let i = 0
  while (i + levelStep <= size) {
    for (let j = 0; j < levelStep; j++, i++) a0 = f(a0 + x[start + i * stride])
    a1 = f(a1 + a0)
    a0 = 0
    if ((i & (levelMask << levelPower)) !== 0) continue
    a2 = f(a2 + a1)
    a1 = 0
    if ((i & (levelMask << (2 * levelPower))) !== 0) continue
    a3 = f(a3 + a2)
    a2 = 0
  }
  for (; i < size; i++) a0 = f(a0 + x[start + i * stride])
  return f(f(f(a0 + a1) + a2) + a3)
}

/**
 * row_sum over `size` items x[start + i·stride]: four interleaved partial sums (item i into
 * sum i mod 4, as multi_row_sum over groups of four), the items after the last whole four into
 * the first, then the four added in order.
 */
function rowSum(x: Float32Array, start: number, stride: number, size: number): number {
  // no whole four (the course's batch of 2): the four sums are zeros, and adding them changes nothing
  if (size < ILP) {
    let s = 0
    for (let i = 0; i < size; i++) s = f(s + x[start + i * stride])
    return s
  }
  const whole = Math.floor(size / ILP)
  const step = ILP * stride
  let p0 = cascade(x, start, step, whole)
  const p1 = cascade(x, start + stride, step, whole)
  const p2 = cascade(x, start + 2 * stride, step, whole)
  const p3 = cascade(x, start + 3 * stride, step, whole)
  for (let i = whole * ILP; i < size; i++) p0 = f(p0 + x[start + i * stride])
  return f(f(f(p0 + p1) + p2) + p3)
}

/**
 * torch's sum of n contiguous values (a full reduction, as Tensor.mean() takes one): fewer than
 * eight as one row_sum; else row_sum over the 8-float vectors lane by lane, the values after
 * the last whole vector added first, then the eight lanes in order.
 */
export function contiguousSum(x: Float32Array, n: number): number {
  if (n < LANES) return rowSum(x, 0, 1, n)
  const vectors = Math.floor(n / LANES)
  let total = 0
  for (let i = vectors * LANES; i < n; i++) total = f(total + x[i])
  for (let l = 0; l < LANES; l++) total = f(total + rowSum(x, l, LANES, vectors))
  return total
}
