/**
 * Losses one at a time, in a typed buffer that doubles as needed. The training thread keeps its
 * losses here rather than in lists: a new list starts as small integers and changes kind at its
 * first loss, which a warm thread's code, optimised for the last run's list, does not expect.
 */
export class LossLog {
  private values = new Float64Array(64)
  private count = 0

  add(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.count++] = value
  }

  get length(): number {
    return this.count
  }

  /** every loss logged, as a list */
  list(): number[] {
    return Array.from(this.values.subarray(0, this.count))
  }

  /** the losses logged since the last take, in a buffer of their own: a view would send the whole log with it */
  take(): Float64Array {
    const taken = this.values.slice(0, this.count)
    this.count = 0
    return taken
  }
}
