/** a fixed pseudo-random float32 stream, so TorchLab and torch see the same numbers */
export function float32Stream(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return Math.fround((s / 2 ** 32) * 2 - 1)
  }
}
