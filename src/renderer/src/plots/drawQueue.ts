/**
 * One plotly draw per animation frame, across every chart in the window. Each draw costs
 * 8–20 ms whatever its size; several charts redrawing in the same frame would make one long
 * frame that delays clicks. Charts wait in line instead, oldest request first.
 */
const pending = new Map<object, () => void>()
let scheduled = false

function drawNext(): void {
  scheduled = false
  const next = pending.entries().next()
  if (next.done) return
  const [owner, draw] = next.value
  pending.delete(owner)
  draw()
  schedule()
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
