import { expect } from 'vitest'
import type { NestedNumbers } from '../../src/shared/schemas'

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])

/** Every value within `abs` absolute or `rel` relative of torch's, key by key. */
export function expectStateDictClose(ours: Record<string, NestedNumbers>, torch: Record<string, unknown>, abs = 1e-5, rel = 1e-4): void {
  expect(Object.keys(ours)).toEqual(Object.keys(torch))
  for (const key of Object.keys(torch)) {
    const a = flat(ours[key])
    const b = flat(torch[key])
    expect(a.length, key).toBe(b.length)
    a.forEach((v, i) => {
      const diff = Math.abs(v - b[i])
      if (diff > abs && diff > rel * Math.abs(b[i])) {
        expect.fail(`${key}[${i}]: TorchLab ${v}, torch ${b[i]} (diff ${diff})`)
      }
    })
  }
}
