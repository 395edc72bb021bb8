import { describe, expect, it } from 'vitest'
import { DEFAULT_SIZE, windowPlacement } from '../../src/main/windowPlacement'

const laptop = { x: 0, y: 0, width: 1920, height: 1040 }
const projectorRight = { x: 1920, y: 0, width: 1280, height: 720 }

describe('where the window opens', () => {
  it('opens where the student left it while that place is on a screen', () => {
    const saved = { x: 300, y: 120, width: 1100, height: 700 }
    expect(windowPlacement(saved, [laptop])).toEqual(saved)
    const onProjector = { x: 2000, y: 50, width: 1000, height: 600 }
    expect(windowPlacement(onProjector, [laptop, projectorRight])).toEqual(onProjector)
  })

  it('keeps a window pushed mostly off the left edge while its title bar can still be grabbed', () => {
    const saved = { x: -900, y: 10, width: 1100, height: 700 }
    expect(windowPlacement(saved, [laptop])).toEqual(saved)
  })

  it('opens on the primary screen when the screen it was left on is gone (a projector unplugged)', () => {
    expect(windowPlacement({ x: 2000, y: 50, width: 1000, height: 600 }, [laptop])).toEqual(DEFAULT_SIZE)
  })

  it('opens on a screen when its title bar was left above every screen or past its edge', () => {
    expect(windowPlacement({ x: 100, y: -400, width: 1000, height: 600 }, [laptop])).toEqual(DEFAULT_SIZE)
    expect(windowPlacement({ x: 1880, y: 100, width: 1000, height: 600 }, [laptop])).toEqual(DEFAULT_SIZE)
  })

  it('fits the first window to a small primary screen', () => {
    expect(windowPlacement(undefined, [{ x: 0, y: 0, width: 1024, height: 600 }])).toEqual({ width: 1024, height: 600 })
    expect(windowPlacement(undefined, [])).toEqual(DEFAULT_SIZE)
  })
})
