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
