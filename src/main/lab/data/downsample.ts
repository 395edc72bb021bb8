/** Evenly spaced indices, at most `max` of them: plot series stay small whatever the data size. */
export const MAX_PLOT_POINTS = 1000

export function downsample(n: number, max = MAX_PLOT_POINTS): number[] {
  const step = Math.max(1, n / max)
  const picks: number[] = []
  for (let i = 0; i < n; i += step) picks.push(Math.floor(i))
  return picks
}
