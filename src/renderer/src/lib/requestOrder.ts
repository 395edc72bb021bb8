/**
 * The order of a kind of request: each one asked takes the next number, and an answer applies
 * only while no later request of its kind was made. Answers over the lab's socket can arrive in
 * any order (a lesson's data set read after the set the student clicked next); the last request
 * the student made is the one the window shows.
 */
export class RequestOrder {
  private last = 0

  /** a new request: every earlier one is out of date from now on */
  next(): number {
    return ++this.last
  }

  /** nothing of this kind was asked since request `n` (or since mark `n` was taken) */
  isLatest(n: number): boolean {
    return n === this.last
  }

  /** where the order stands, to ask later whether a request came since */
  mark(): number {
    return this.last
  }
}
