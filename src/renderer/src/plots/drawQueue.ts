/**
 * One plotly draw per animation frame, across every chart in the window, and at most a third
 * of the window's time spent drawing. Each draw costs 8–20 ms whatever its size (far more on a
 * busy machine); charts redrawing back to back would make long frames that delay clicks.
 * Charts wait in line instead, oldest request first, with a rest twice as long as the last
 * draw took before the next.
 */
const pending = new Map<object, () => void>()
let scheduled = false
const REST_PER_DRAW = 2

function drawNext(): void {
  const next = pending.entries().next()
  if (next.done) {
    scheduled = false
    return
  }
  const [owner, draw] = next.value
  pending.delete(owner)
  const started = performance.now()
  try {
    draw()
  } finally {
    // a chart that fails to draw must not stop the others
    setTimeout(() => {
      scheduled = false
      schedule()
    }, (performance.now() - started) * REST_PER_DRAW)
  }
}

function schedule(): void {
  if (scheduled || pending.size === 0) return
  scheduled = true
  requestAnimationFrame(drawNext)
}

/** queues `draw` for `owner` (a chart); a chart already waiting keeps its place and its latest draw */
export function requestDraw(owner: object, draw: () => void): void {
  pending.set(owner, draw)
  schedule()
}

export function cancelDraw(owner: object): void {
  pending.delete(owner)
}
