/**
 * A plot series that never grows past a fixed size however long a run is, and that a copy
 * (the main process, the window) can follow by pulling only what it has not seen yet.
 *
 * Sample i (from 1) falls in bucket ceil(i / stride); a bucket is published once it is
 * complete, at x = its last sample's index. When the published buckets reach twice the
 * capacity, neighbours merge pairwise and the stride doubles: 'sample' keeps the later of the
 * two (the value at x), 'mean' averages them (buckets hold equal counts). A copy that saw the
 * series at a finer stride reaches the same buckets by the same merge, so the producer never
 * needs to know what any reader holds: `since(x)` is all a reader asks for.
 */

export type SeriesMode = 'sample' | 'mean'

/** What a reader receives: the stride now, and the buckets after the reader's last x (merged to that stride). */
export interface SeriesDelta {
  stride: number
  x: number[]
  /** one array per column, as long as x */
  values: number[][]
}

/** 500 to 1,000 points a series: plenty for a plot a few hundred pixels wide, cheap to draw */
export const SERIES_CAPACITY = 500

/**
 * An empty column that already holds doubles. An empty list starts as small integers and changes
 * kind at its first loss, so every new run's series would not fit the code V8 optimised for the
 * last run's, and would throw it away.
 */
function doubleColumn(): number[] {
  const column = [0.5]
  column.pop()
  return column
}

export class DecimatedSeries {
  stride = 1
  readonly x: number[] = []
  readonly values: number[][]
  private samples = 0
  private readonly partial: Float64Array

  constructor(
    readonly width: number,
    readonly mode: SeriesMode,
    private readonly capacity = SERIES_CAPACITY,
  ) {
    this.values = Array.from({ length: width }, doubleColumn)
    this.partial = new Float64Array(width)
  }

  /** x of the last published bucket, 0 before the first */
  get last(): number {
    return this.x.at(-1) ?? 0
  }

  /** one new sample: a value per column */
  add(sample: ArrayLike<number>): void {
    this.samples++
    for (let c = 0; c < this.width; c++) this.partial[c] = this.mode === 'mean' ? this.partial[c] + sample[c] : sample[c]
    if (this.samples % this.stride !== 0) return
    this.x.push(this.samples)
    for (let c = 0; c < this.width; c++) {
      this.values[c].push(this.mode === 'mean' ? this.partial[c] / this.stride : this.partial[c])
      this.partial[c] = 0
    }
    if (this.x.length >= 2 * this.capacity) this.coarsen(this.stride * 2)
  }

  /** the buckets a reader holding everything up to `after` is missing */
  since(after: number): SeriesDelta {
    const from = Math.floor(after / this.stride) * this.stride
    let i = this.x.length
    while (i > 0 && this.x[i - 1] > from) i--
    return { stride: this.stride, x: this.x.slice(i), values: this.values.map((column) => column.slice(i)) }
  }

  /** a reader's side: merge to the producer's stride, then append what was missing */
  apply(delta: SeriesDelta): void {
    if (delta.stride < this.stride) throw new Error('a series delta cannot refine a coarser copy')
    this.coarsen(delta.stride)
    for (let i = 0; i < delta.x.length; i++) {
      if (delta.x[i] <= this.last) continue
      this.x.push(delta.x[i])
      for (let c = 0; c < this.width; c++) this.values[c].push(delta.values[c][i])
    }
  }

  /** merge neighbouring buckets until the stride is `stride`; an unpaired last bucket is not yet complete at the new stride */
  private coarsen(stride: number): void {
    while (this.stride < stride) {
      const next = this.stride * 2
      let kept = 0
      for (let i = 0; i < this.x.length; i++) {
        if (this.x[i] % next !== 0) continue
        this.x[kept] = this.x[i]
        for (const column of this.values) column[kept] = this.mode === 'mean' ? (column[i - 1] + column[i]) / 2 : column[i]
        kept++
      }
      this.x.length = kept
      for (const column of this.values) column.length = kept
      this.stride = next
    }
  }
}
