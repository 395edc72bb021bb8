/** "Let it run"'s clock: the steps due each frame at the chosen pace. */
import { describe, expect, it } from 'vitest'
import { STEP_PACES, StepClock } from '../../src/shared/pace'

const frames = (clock: StepClock, n: number, ms: number, pace: number) => Array.from({ length: n }, () => clock.due(ms, pace))

describe('StepClock', () => {
  it('plays every pace at its rate whatever the frame rate: one second of frames is `pace` steps', () => {
    for (const pace of STEP_PACES) {
      for (const fps of [30, 60, 144]) expect(frames(new StepClock(), fps, 1000 / fps, pace).reduce((a, b) => a + b, 0)).toBe(pace)
    }
  })

  it('shows several steps in one frame above the frame rate, none in some frames below it', () => {
    expect(frames(new StepClock(), 3, 1000 / 60, 500)).toEqual([8, 8, 9])
    expect(frames(new StepClock(), 4, 1000 / 60, 25)).toEqual([0, 0, 1, 0])
  })

  it('keeps the fraction owed when the pace changes between frames', () => {
    const clock = new StepClock()
    expect(clock.due(30, 25)).toBe(0)
    expect(clock.due(10, 100)).toBe(1)
  })

  it('does not jump past the steps of a frame that came late (a fetch, a hidden tab): at most 100 ms of them', () => {
    expect(new StepClock().due(5000, 500)).toBe(50)
  })
})
