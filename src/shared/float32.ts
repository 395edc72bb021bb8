/**
 * float32 arithmetic that JavaScript's doubles do not give directly: C's fmaf, which torch's CPU
 * kernels reach where the compiler fuses a multiply and an add (the optimizers' add and addcmul,
 * BatchNorm1d's variance sum).
 */
const f = Math.fround
const BITS_F = new Float32Array(1)
const BITS_I = new Int32Array(BITS_F.buffer)

/** 2^e for −300 ≤ e ≤ 300 (exact doubles): `2 ** e` with a variable e costs a Math.pow call */
const POW2 = Float64Array.from({ length: 601 }, (_, i) => 2 ** (i - 300))
export const pow2 = (e: number): number => POW2[e + 300]

/** the float32 beside r (a float32) on the side of `towards` */
function neighbour(r: number, towards: number): number {
  if (r === 0) return towards > 0 ? 2 ** -149 : -(2 ** -149)
  BITS_F[0] = r
  BITS_I[0] += towards > r === r > 0 ? 1 : -1
  return BITS_F[0]
}

/**
 * a·b + c rounded once to float32, for float32 a, b, c (C's fmaf): the product is exact in a
 * double, and the double sum rounded to float32 is the answer except where that sum lands exactly
 * on a float32 midpoint (a double rounding is monotonic and every float32 midpoint is a double, so
 * the exact sum cannot cross one). Only there is the sum's rounding error recovered (TwoSum) to
 * decide the side. kernels.wat reaches the same result by rounding the double sum to odd instead.
 */
export function fmaf(a: number, b: number, c: number): number {
  const s = a * b + c
  const r = f(s)
  // s is a midpoint exactly when the float32 mirrored across it, 2s − r, is a float32 (almost
  // never; an infinite r mirrors to an infinity and goes on): the cheap test first, in a body
  // small enough for V8 to inline, so a Sleef polynomial's fused multiply-adds cost little more
  // than a rounding each
  const mirror = 2 * s - r
  return r === s || f(mirror) !== mirror ? r : midpointFmaf(a * b, c, s, r)
}

/** fmaf where the double sum s = p + c landed on a float32 midpoint: its rounding error decides */
function midpointFmaf(p: number, c: number, s: number, r: number): number {
  if (!Number.isFinite(s)) return r
  const z = s - p
  const err = p - (s - z) + (c - z)
  if (err === 0) return r
  // past the largest float32, r is infinite: the tie test sees 2¹²⁸ there, as IEEE rounding does
  const near = Number.isFinite(r) ? r : Math.sign(r) * 2 ** 128
  const other = neighbour(near, s)
  if (s - near !== other - s) return r
  return err > 0 === other > near ? other : r
}
