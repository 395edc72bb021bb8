/**
 * Where the window opens: where the student left it, unless that place is no longer on any
 * screen (a classroom projector unplugged, a laptop off its dock), where a window would open
 * out of sight and look like TorchLab did not start. Pure, so it runs without Electron.
 */
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export const DEFAULT_SIZE = { width: 1280, height: 820 }
/** this much of the title bar must be on a screen to grab the window with a mouse */
const GRAB = 100

/** the saved bounds if enough of the window's top is on one of the work areas; else the default size, placed by the system, fitted to the primary screen */
export function windowPlacement(saved: Rect | undefined, workAreas: readonly Rect[]): Partial<Rect> & { width: number; height: number } {
  if (saved && workAreas.some((area) => reachable(saved, area))) return saved
  const primary = workAreas[0]
  if (!primary) return DEFAULT_SIZE
  return { width: Math.min(DEFAULT_SIZE.width, primary.width), height: Math.min(DEFAULT_SIZE.height, primary.height) }
}

function reachable(window: Rect, area: Rect): boolean {
  const left = Math.max(window.x, area.x)
  const right = Math.min(window.x + window.width, area.x + area.width)
  const topOnScreen = window.y >= area.y && window.y < area.y + area.height
  return topOnScreen && right - left >= Math.min(GRAB, window.width)
}
