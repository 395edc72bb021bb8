/**
 * Evenly spaced indices, at most `max` of them: plot series stay small whatever the data size.
 * Each point of a scatter is an SVG shape of its own, and Chromium's layerization visits every one
 * of them whenever anything in the window repaints: with 1,000 points a chart, each frame
 * of a training run paid about 30 ms for that (on a loaded machine); with 300, about 2 ms.
 */
export const MAX_PLOT_POINTS = 300

export function downsample(n: number, max = MAX_PLOT_POINTS): number[] {
  const step = Math.max(1, n / max)
  const picks: number[] = []
  for (let i = 0; i < n; i += step) picks.push(Math.floor(i))
  return picks
}
