/**
 * A small seeded generator (mulberry32 seeded through splitmix32) so that a seed gives the same
 * initial weights, split and batch order on every machine. Streams for different purposes
 * are derived from one seed so that changing the split does not change the init.
 */
export type Rng = () => number

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

/** uniform in [0, 1) */
export function createRng(seed: number, stream = 0): Rng {
  let a = splitmix32(splitmix32(seed) ^ Math.imul(stream + 1, 0x27d4eb2d))
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// 3 was the shuffle's stream, before batches took torch's order (torchShuffle.ts)
export const STREAM = { init: 1, split: 2, search: 4, dropout: 5 } as const

/** Fisher–Yates permutation of 0..n-1 */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const t = p[i]
    p[i] = p[j]
    p[j] = t
  }
  return p
}
