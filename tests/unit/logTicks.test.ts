import { describe, expect, it } from 'vitest'
import { logTicks } from '../../src/renderer/src/plots/logTicks'

describe('log-axis ticks', () => {
  it('labels 1, 2 and 5 of each decade a short loss curve spans, as plain numbers', () => {
    // the iris cross-entropy curve: 1.1 down to 0.05
    expect(logTicks([1.1, 0.6, 0.2, 0.09, 0.05])).toEqual({ tickvals: [0.05, 0.1, 0.2, 0.5, 1], ticktext: ['0.05', '0.1', '0.2', '0.5', '1'] })
  })

  it('keeps only the decades when 1-2-5 would crowd the axis, and writes tiny and huge ones as exponents', () => {
    expect(logTicks([1e-5, 3])).toEqual({ tickvals: [1e-5, 1e-4, 1e-3, 0.01, 0.1, 1], ticktext: ['1e-5', '1e-4', '0.001', '0.01', '0.1', '1'] })
    expect(logTicks([1e-5, 2e4])).toEqual({ tickvals: [1e-5, 1e-3, 0.1, 10, 1000], ticktext: ['1e-5', '0.001', '0.1', '10', '1000'] })
    const wide = logTicks([1e-12, 1e12])!
    expect(wide.tickvals.length).toBeLessThanOrEqual(8)
    expect(wide.ticktext).toContain('1e-12')
  })

  it("leaves plotly's ticks where there is nothing to span", () => {
    expect(logTicks([])).toBeUndefined()
    expect(logTicks([0, -1, NaN, 3])).toBeUndefined()
    expect(logTicks([3.1, 3.2])).toBeUndefined()
  })
})
