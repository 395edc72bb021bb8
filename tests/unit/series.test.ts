/** Decimated series: bounded, and a reader that pulls at any moments ends up with exactly the producer's points. */
import { describe, expect, it } from 'vitest'
import { DecimatedSeries } from '../../src/shared/series'

describe('DecimatedSeries', () => {
  it('keeps between one and two capacities of points, sampled at multiples of the stride', () => {
    const s = new DecimatedSeries(2, 'sample', 8)
    for (let i = 1; i <= 1000; i++) s.add([i, -i])
    expect(s.x.length).toBeGreaterThanOrEqual(8)
    expect(s.x.length).toBeLessThan(16)
    expect(s.stride).toBe(64)
    expect(s.x).toEqual(s.values[0])
    expect(s.x.every((x) => x % 64 === 0)).toBe(true)
    expect(s.values[1]).toEqual(s.x.map((x) => -x))
  })

  it('averages whole buckets in mean mode', () => {
    const s = new DecimatedSeries(1, 'mean', 4)
    for (let i = 1; i <= 100; i++) s.add([i])
    expect(s.stride).toBe(16)
    // bucket k covers samples 16(k-1)+1 .. 16k, whose mean is 16k - 7.5
    expect(s.values[0]).toEqual(s.x.map((x) => x - 7.5))
  })

  it.each(['sample', 'mean'] as const)('a reader pulling at irregular moments matches the producer (%s)', (mode) => {
    const producer = new DecimatedSeries(1, mode, 16)
    const reader = new DecimatedSeries(1, mode, 16)
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (let i = 1; i <= 20_000; i++) {
      producer.add([Math.sin(i / 50) + i / 1000])
      if (random() < 0.004) reader.apply(producer.since(reader.last))
    }
    reader.apply(producer.since(reader.last))
    expect(reader.stride).toBe(producer.stride)
    expect(reader.x).toEqual(producer.x)
    for (let i = 0; i < reader.x.length; i++) expect(reader.values[0][i]).toBeCloseTo(producer.values[0][i], 12)
  })

  it('sends nothing to a reader that is up to date, and refuses to refine a coarser copy', () => {
    const s = new DecimatedSeries(1, 'sample', 4)
    for (let i = 1; i <= 30; i++) s.add([i])
    expect(s.since(s.last).x).toEqual([])
    const coarse = new DecimatedSeries(1, 'sample', 4)
    coarse.apply(s.since(0))
    expect(() => coarse.apply({ stride: 1, x: [31], values: [[31]] })).toThrow(/coarser/)
  })
})
