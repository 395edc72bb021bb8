/**
 * The fused multiply-add torch's add and addcmul end in (C's fmaf: a·b + c rounded once to
 * float32), as the dense engine computes it — the JavaScript fmaf of updateRules.ts and the
 * WebAssembly $fma in kernels.wat, reached through the SGD kernel (p ← fmaf(g, −lr, p)) —
 * against an exact reference: the sum as a BigInt of 2⁻²⁹⁸ units, rounded to nearest-even by
 * hand. The cases are random float32 of every range, plus sums built to land a double on a
 * float32 tie (where a double sum rounded again to float32 is wrong), in the normal range,
 * among subnormals and at the overflow threshold.
 */
import { describe, expect, it } from 'vitest'
import { ensureKernelsBuilt } from '../../scripts/buildKernels'
import { createRng, type Rng } from '../../src/main/lab/data/rng'
import type { SgdScalars } from '../../src/main/lab/engine/dense/updateRules'
import { fmaf } from '../../src/shared/float32'
import { optimizerSpecSchema, type OptimizerSpec } from '../../src/shared/schemas'

await ensureKernelsBuilt()
const { createKernels } = await import('../../src/main/lab/engine/dense/kernels')

const F32 = new Float32Array(1)
const U32 = new Uint32Array(F32.buffer)
const f = Math.fround
const FLT_MAX = f(3.4028234663852886e38)

/** the float32 x as m·2^e with m a signed integer, exactly */
function parts(x: number): { m: bigint; e: number } {
  F32[0] = x
  const bits = U32[0]
  const exp = (bits >>> 23) & 0xff
  const frac = bits & 0x7fffff
  const m = BigInt(exp === 0 ? frac : frac | 0x800000)
  return { m: bits >>> 31 ? -m : m, e: exp === 0 ? -149 : exp - 150 }
}

/** a·b + c for finite float32 a, b, c, rounded once to float32 (ties to even) from the exact BigInt sum */
function exactFmaf(a: number, b: number, c: number): number {
  const [pa, pb, pc] = [parts(a), parts(b), parts(c)]
  // every product of two float32 is a multiple of 2⁻²⁹⁸, every float32 of 2⁻¹⁴⁹
  const x = pa.m * pb.m * 2n ** BigInt(pa.e + pb.e + 298) + pc.m * 2n ** BigInt(pc.e + 298)
  if (x === 0n) return Object.is(a * b, -0) && Object.is(c, -0) ? -0 : 0
  const magnitude = x < 0n ? -x : x
  const top = magnitude.toString(2).length - 1 - 298
  // the float32 spacing at this magnitude: 2^(top − 23), never below the subnormals' 2⁻¹⁴⁹
  const q = Math.max(top - 23, -149)
  const shift = BigInt(q + 298)
  let k = magnitude >> shift
  const rest = magnitude - (k << shift)
  const half = 1n << (shift - 1n)
  if (rest > half || (rest === half && (k & 1n) === 1n)) k += 1n
  const value = Number(k) * 2 ** q
  const rounded = value >= 2 ** 128 ? Infinity : value
  return x < 0n ? -rounded : rounded
}

/** a finite float32 from random bits */
function anyFloat(rng: Rng): number {
  for (;;) {
    U32[0] = Math.floor(rng() * 2 ** 32)
    if (Number.isFinite(F32[0])) return F32[0]
  }
}

/** ±2^e · (1 + j·2⁻²³) */
const near2 = (e: number, j: number, sign = 1) => f(sign * 2 ** e * (1 + j * 2 ** -23))
/** a float32 with exponent e and a random significand */
const withExponent = (rng: Rng, e: number) => f((rng() < 0.5 ? -1 : 1) * 2 ** e * (1 + Math.floor(rng() * 2 ** 23) * 2 ** -23))

interface Group {
  b: number
  a: number[]
  c: number[]
}

/**
 * b = 2^eb·(1 − i·2⁻²³) and a = 2^ea·(1 + i·2⁻²³) give a·b = 2^(ea+eb)·(1 − i²·2⁻⁴⁶): just
 * under half a float32 spacing of a c with exponent ea + eb + 24, by less than a double keeps
 * there (i ≤ 300), so the double sum sits on the tie while the exact sum does not.
 */
function groups(rng: Rng): Group[] {
  const out: Group[] = []
  const group = (b: number, pair: (k: number) => [number, number]) => {
    const pairs = Array.from({ length: 512 }, (_, k) => pair(k))
    out.push({ b, a: pairs.map((p) => p[0]), c: pairs.map((p) => p[1]) })
  }
  for (let t = 0; t < 48; t++) {
    const i = 1 + Math.floor(rng() * 300)
    const eb = Math.floor(rng() * 80) - 40
    group(near2(eb, -i), () => {
      const ea = Math.floor(rng() * 80) - 40
      return [near2(ea, i, rng() < 0.5 ? -1 : 1), withExponent(rng, ea + eb + 24)]
    })
  }
  // ties among the subnormals: a·b just under 2⁻¹⁵⁰, half the smallest spacing
  for (let t = 0; t < 8; t++) {
    const i = 1 + Math.floor(rng() * 300)
    group(near2(-75, -i), () => [near2(-75, i, rng() < 0.5 ? -1 : 1), f((rng() < 0.5 ? -1 : 1) * Math.floor(rng() * 2 ** 23) * 2 ** -149)])
  }
  // at the overflow threshold: FLT_MAX + a·b just under 2¹⁰³ stays FLT_MAX, though the double sum is the threshold
  for (let t = 0; t < 4; t++) {
    const i = 1 + Math.floor(rng() * 300)
    group(near2(51, -i), (k) => (k % 2 ? [near2(52, i), FLT_MAX] : [near2(52, i, -1), -FLT_MAX]))
  }
  // random significands at exponents that make the sum cancel or round
  for (let t = 0; t < 48; t++) {
    const eb = Math.floor(rng() * 80) - 40
    group(withExponent(rng, eb), () => {
      const ea = Math.floor(rng() * 80) - 40
      return [withExponent(rng, ea), withExponent(rng, ea + eb + Math.floor(rng() * 60) - 30)]
    })
  }
  // any float32 at all: overflow to infinity, underflow, zeros of either sign
  for (let t = 0; t < 16; t++) group(anyFloat(rng), () => [anyFloat(rng), anyFloat(rng)])
  group(-0, (k) => [k % 2 ? 0 : -0, k % 3 ? 0 : -0])
  return out
}

const bitsOf = (x: number) => {
  F32[0] = x
  return U32[0]
}

describe('fmaf, a·b + c rounded once to float32', () => {
  const all = groups(createRng(2026))
  const cases = all.flatMap((g) => g.a.map((a, k) => ({ a, b: g.b, c: g.c[k] })))

  it(`the cases reach the double-rounding trap: the double sum rounded again to float32 is wrong for many of ${cases.length}`, () => {
    const trapped = cases.filter(({ a, b, c }) => f(a * b + c) !== exactFmaf(a, b, c)).length
    expect(trapped).toBeGreaterThan(10_000)
  })

  it('the JavaScript fmaf equals the exact reference bit for bit', () => {
    const wrong = cases.filter(({ a, b, c }) => bitsOf(fmaf(a, b, c)) !== bitsOf(exactFmaf(a, b, c)))
    expect(wrong.slice(0, 5)).toEqual([])
  })

  // fused: relaxed_madd where this CPU fuses it (fuse() in kernels.wat), else the double lanes
  it.each([true, false])('the WebAssembly SIMD kernels fuse as the exact reference rounds, bit for bit, in every lane (hardware fused multiply-add: %s)', (fused) => {
    const { kernels } = createKernels({ fused })
    expect(kernels.backend).toBe('wasm')
    const spec = optimizerSpecSchema.parse({ name: 'SGD', lr: 0.1 }) as Extract<OptimizerSpec, { name: 'SGD' }>
    const p = kernels.memory.alloc(512)
    const g = kernels.memory.alloc(512)
    const wrong: { a: number; b: number; c: number; got: number; exact: number }[] = []
    for (const group of all) {
      p.array.set(group.c)
      g.array.set(group.a)
      // p ← fmaf(g, −lr, p): with no weight decay, SGD is exactly one fused add
      const scalars: SgdScalars = { negLr: group.b, weightDecay: 0, momentum: 0, keep: 1 }
      kernels.sgd(spec, scalars, p, g, null, false)
      group.a.forEach((a, k) => {
        const exact = exactFmaf(a, group.b, group.c[k])
        if (bitsOf(p.array[k]) !== bitsOf(exact)) wrong.push({ a, b: group.b, c: group.c[k], got: p.array[k], exact })
      })
    }
    expect(wrong.slice(0, 5)).toEqual([])
  })

  it.each([true, false])('infinities and NaN pass through as C fmaf gives them (hardware fused multiply-add: %s)', (fused) => {
    const { kernels } = createKernels({ fused })
    const spec = optimizerSpecSchema.parse({ name: 'SGD', lr: 0.1 }) as Extract<OptimizerSpec, { name: 'SGD' }>
    const rows: [number, number, number, number][] = [
      [Infinity, 2, 1, Infinity],
      [-Infinity, 2, 1, -Infinity],
      [3, 2, Infinity, Infinity],
      [Infinity, 0, 1, NaN],
      [Infinity, 1, -Infinity, NaN],
      [NaN, 1, 1, NaN],
      [FLT_MAX, 2, 0, Infinity],
    ]
    for (const [a, b, c, expected] of rows) {
      expect(fmaf(a, b, c), `fmaf(${a}, ${b}, ${c})`).toBe(expected)
      const p = kernels.memory.alloc(1)
      const g = kernels.memory.alloc(1)
      p.array[0] = c
      g.array[0] = a
      kernels.sgd(spec, { negLr: b, weightDecay: 0, momentum: 0, keep: 1 }, p, g, null, false)
      expect(p.array[0], `$fma(${a}, ${b}, ${c})`).toBe(expected)
    }
  })
})
