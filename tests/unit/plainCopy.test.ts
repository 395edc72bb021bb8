/** The copy a chart hands plotly: equal values, none of the caller's arrays or objects, proxies read through. */
import { describe, expect, it } from 'vitest'
import { plainCopy } from '../../src/renderer/src/plots/plainCopy'

describe('plainCopy', () => {
  it('copies traces and layouts deeply, sharing no array or object with the original', () => {
    const x = [1, 2, 3]
    const traces = [{ x, y: [0.5, null, 2], name: 'loss', line: { width: 3, dash: 'dot' }, visible: true }]
    const copy = plainCopy(traces)
    expect(copy).toEqual(traces)
    expect(copy).not.toBe(traces)
    expect(copy[0].x).not.toBe(x)
    expect(copy[0].line).not.toBe(traces[0].line)
    x.push(4)
    expect(copy[0].x).toEqual([1, 2, 3])
  })

  it('reads through a proxy, as Svelte’s state proxies wrap the data set’s scatter', () => {
    const reads: string[] = []
    const state = new Proxy({ x: [1, 2], y: [3, 4] }, { get: (target, key, receiver) => (reads.push(String(key)), Reflect.get(target, key, receiver)) })
    const copy = plainCopy(state)
    expect(copy).toEqual({ x: [1, 2], y: [3, 4] })
    expect(reads).toEqual(expect.arrayContaining(['x', 'y']))
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
  })
})
