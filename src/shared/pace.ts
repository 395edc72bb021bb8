/**
 * How fast a run unfolds on screen. The course run (1,000 epochs) trains in a tenth of a second;
 * at the course pace it takes four, long enough to watch the line fit. Pacing happens in the
 * training worker and never changes the numbers.
 */
export const PACES = [10, 50, 250, 1000, 10_000] as const

/** epochs per second for the course run, and the window's default */
export const COURSE_PACE = 250

export function paceLabel(pace: number | null): string {
  return pace === null ? 'as fast as possible' : `${pace.toLocaleString('en-US')} epochs/s`
}

/**
 * How fast the Step view's "Let it run" plays a stepped run, in optimizer steps per second. The
 * slowest lets a student read each step's numbers; the fastest shows the course's 1,000 steps in
 * two seconds. The screen shows the step due at each frame, so a pace above the frame rate
 * skips the steps between frames rather than slowing down.
 */
export const STEP_PACES = [5, 25, 100, 500] as const

/** the Step view's default: one step every 40 ms, as slow as it always played */
export const STEP_PACE = 25

export function stepPaceLabel(pace: number): string {
  return `${pace} steps/s`
}

/** A playback clock: whole steps due after each frame, at a pace that may change between frames. */
export class StepClock {
  private owed = 0
  /**
   * `elapsedMs` since the previous frame, capped: a frame late because more steps were being
   * fetched, or a hidden tab, would otherwise jump the student past the steps nobody saw.
   */
  due(elapsedMs: number, pace: number): number {
    this.owed += (Math.min(elapsedMs, 100) * pace) / 1000
    // frames of 1000/60 ms add up to a whole second only to within rounding
    const whole = Math.floor(this.owed + 1e-9)
    this.owed -= whole
    return whole
  }
}
