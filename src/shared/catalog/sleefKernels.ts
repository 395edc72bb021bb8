/**
 * Sleef 3.5.1's u10 float functions as torch 1.13 reaches them on this CPU: Vectorized<float>'s
 * exp(), log1p() and tanh() call Sleef_expf8_u10, Sleef_log1pf8_u10 and Sleef_tanhf8_u10, whose
 * AVX2 build (sleefsimdsp.c with helperavx2.h) fuses every vmla and the double-float helpers of
 * df.h (ENABLE_FMA_SP). Each op here is rounded to float32 as the vector op is, with `fmaf` where
 * Sleef fuses. Measured against torch's vector loop and Debian's libsleef on 750,032 points
 * (uniform in [−110, 100], [−1, 1], up to 1e6, the extremes): bit for bit
 * (interop/sleefGlibc.test.ts checks them against torch on 170,000 points, runs of consecutive
 * float32s among them).
 */
import { fmaf as importedFmaf, pow2 as importedPow2 } from '../float32'

// bound once: a transpiled import is a getter on every call, which spends V8's inlining budget
const fmaf = importedFmaf
const pow2 = importedPow2

const f = Math.fround
const R_LN2F = f(1.4426950408889634)
const L2UF = f(0.693145751953125)
const L2LF = f(1.428606765330187045e-6)
const FLT_MIN = 2 ** -126
const BITS_F = new Float32Array(1)
const BITS_I = new Int32Array(BITS_F.buffer)

/** _mm256_cvtps_epi32: to the nearest integer, ties to even (|v| < 2³¹ wherever it is used) */
const RINT_SHIFT = 6755399441055744 // 1.5·2⁵²: adding and taking it away rounds a double to an integer, ties to even
const rint = (v: number): number => v + RINT_SHIFT - RINT_SHIFT

/** vldexp2_vf_vf_vi2: d·2^(q>>1)·2^(q−(q>>1)), each product rounded as the vector multiplies are */
function ldexp2(d: number, q: number): number {
  const half = q >> 1
  return f(f(d * pow2(half)) * pow2(q - half))
}

/** xexpf: exp(d) by a degree-6 polynomial on d − q·ln2 (q·ln2 taken in two fused parts) */
export function sleefExpf(d: number): number {
  if (d !== d) return d
  if (d < -104) return 0
  if (d > 100) return Infinity
  const q = rint(f(d * R_LN2F))
  // Cody and Waite's reduction, fused in Sleef, is exact in a double here: |q| ≤ 150 and the
  // halves of ln2 are short (16 and 24 bits), so each sum spans at most 43 bits before its rounding
  let s = f(q * -L2UF + d)
  s = f(q * -L2LF + s)
  let u = f(0.000198527617612853646278381)
  u = fmaf(u, s, f(0.00139304355252534151077271))
  u = fmaf(u, s, f(0.00833336077630519866943359))
  u = fmaf(u, s, f(0.0416664853692054748535156))
  u = fmaf(u, s, f(0.166666671633720397949219))
  u = fmaf(u, s, 0.5)
  u = f(1 + fmaf(f(s * s), u, s))
  return ldexp2(u, q)
}

// The double-float arithmetic of df.h (FMA variants) on (hi, lo) pairs: each helper writes its
// result to PAIR, a typed array so that no number is boxed on the way (module variables would be).
// Where Sleef fuses a product with the negated rounding of that very product (a·b − fl(a·b)), or
// takes 1 − d·fl(1/d), the double expression is already exact and a float32 (the product is exact
// in a double, the difference exact by Sterbenz, and it has at most 24 significant bits): those
// are written without fmaf, which is what keeps these functions cheap enough.
const PAIR = new Float64Array(2)

/** dfadd2_vf2_vf2_vf: (xh, xl) + y, exact sum of the heads */
function add2(xh: number, xl: number, y: number): void {
  const s = f(xh + y)
  const v = f(s - xh)
  const t = f(f(xh - f(s - v)) + f(y - v))
  PAIR[0] = s
  PAIR[1] = f(t + xl)
}

/** dfadd2_vf2_vf2_vf2 */
function add2Pair(xh: number, xl: number, yh: number, yl: number): void {
  const s = f(xh + yh)
  const v = f(s - xh)
  const t = f(f(xh - f(s - v)) + f(yh - v))
  PAIR[0] = s
  PAIR[1] = f(t + f(xl + yl))
}

/** dfadd_vf2_vf2_vf2 (|x| ≥ |y|) */
function addPair(xh: number, xl: number, yh: number, yl: number): void {
  const s = f(xh + yh)
  PAIR[0] = s
  PAIR[1] = f(f(f(f(xh - s) + yh) + xl) + yl)
}

/** dfmul_vf2_vf2_vf */
function mulScalar(xh: number, xl: number, y: number): void {
  const s = f(xh * y)
  PAIR[0] = s
  PAIR[1] = fmaf(xl, y, xh * y - s)
}

/** dfmul_vf2_vf2_vf2 */
function mulPair(xh: number, xl: number, yh: number, yl: number): void {
  const s = f(xh * yh)
  PAIR[0] = s
  PAIR[1] = fmaf(xh, yl, fmaf(xl, yh, xh * yh - s))
}

/** dfdiv_vf2_vf2_vf2 */
function divPair(nh: number, nl: number, dh: number, dl: number): void {
  const t = f(1 / dh)
  const s = f(nh * t)
  const u = t * nh - s
  const v = fmaf(-dl, t, 1 - dh * t)
  PAIR[0] = s
  PAIR[1] = fmaf(s, v, fmaf(nl, t, u))
}

/** expk2f on (d, 0), d ≥ 0: exp(d) as a double-float */
function expk2(d: number): void {
  const q = rint(f(d * R_LN2F))
  add2(d, 0, f(q * -L2UF))
  add2(PAIR[0], PAIR[1], f(q * -L2LF))
  const sh = PAIR[0]
  const sl = PAIR[1]
  let u = f(0.1980960224e-3)
  u = fmaf(u, sh, f(0.1394256484e-2))
  u = fmaf(u, sh, f(0.8333456703e-2))
  u = fmaf(u, sh, f(0.4166637361e-1))
  mulScalar(sh, sl, u)
  add2(PAIR[0], PAIR[1], f(0.16666665941423425))
  mulPair(sh, sl, PAIR[0], PAIR[1])
  add2(PAIR[0], PAIR[1], 0.5)
  const th = PAIR[0]
  const tl = PAIR[1]
  // dfsqu_vf2_vf2(s)
  const sq = f(sh * sh)
  mulPair(sq, fmaf(f(sh + sh), sl, sh * sh - sq), th, tl)
  add2Pair(sh, sl, PAIR[0], PAIR[1])
  // dfadd_vf2_vf_vf2(1, t)
  const rh = f(1 + PAIR[0])
  const rl = f(f(f(1 - rh) + PAIR[0]) + PAIR[1])
  PAIR[0] = ldexp2(rh, q)
  PAIR[1] = ldexp2(rl, q)
}

const TANH_ONE = f(8.664339742)

/** xtanhf (u10) on |x| ≤ 8.664339742: (e − 1/e) / (e + 1/e) in double-floats, then rounded */
export function sleefTanhfMagnitude(ax: number): number {
  expk2(ax)
  const dh = PAIR[0]
  const dl = PAIR[1]
  // dfrec_vf2_vf2(d)
  const eh = f(1 / dh)
  const el = f(eh * fmaf(-dl, eh, 1 - dh * eh))
  addPair(dh, dl, -eh, -el)
  const nh = PAIR[0]
  const nl = PAIR[1]
  addPair(dh, dl, eh, el)
  divPair(nh, nl, PAIR[0], PAIR[1])
  return f(PAIR[0] + PAIR[1])
}

/**
 * how far (relative) tanh may lie from a float32 midpoint and still round as Sleef's double-float
 * result does, for |x| ≥ TANH_FAST_FROM. Near 0 Sleef's e − 1/e cancels down to float32 precision
 * (its tanhf is 1 ulp off at x = 2⁻²⁴ + ulp); above 2⁻¹⁰ it stays within 2⁻³⁰ of tanh but in
 * [1/8, 1/4), where it strays up to 2^−29.96 (302 float32s would round otherwise with a margin of
 * 2⁻³⁰). Checked against sleefTanhfMagnitude on every float32 in [2⁻¹⁰, 8.664339742]
 * (109,748,516 values, 2026-11-29): equal everywhere.
 */
const TANH_MARGIN = 2 ** -28
const TANH_FAST_FROM = 2 ** -10

/**
 * Sleef's tanhf. Its last step rounds a double-float tanh to float32, so wherever Math.tanh lies
 * clear of a float32 midpoint by more than TANH_MARGIN the two round alike, and there Math.tanh is
 * used (about 90% of values, at a fifth of the double-float cost); 1 beyond |x| > 8.664339742,
 * the sign of x on the result (−0 gives −0)
 */
export function sleefTanhf(x: number): number {
  if (x !== x) return x
  const ax = Math.abs(x)
  let y = 1
  if (ax <= TANH_ONE) {
    const t = Math.tanh(ax)
    y = f(t)
    if (ax < TANH_FAST_FROM || f(t + t * TANH_MARGIN) !== y || f(t - t * TANH_MARGIN) !== y) y = sleefTanhfMagnitude(ax)
  }
  return x < 0 || Object.is(x, -0) ? -y : y
}

const LN2_HI = f(0.69314718246459960938)
const LN2_LO = f(-1.904654323148236017e-9)
const FOUR_THIRDS = f(1 / 0.75)

/** xlog1pf: log(1 + d) from m = (1 + d)/2^e − 1 computed as d·2^−e + (2^−e − 1) fused, in double-floats */
export function sleefLog1pf(d: number): number {
  if (d !== d || d < -1) return NaN
  if (d === -1) return -Infinity
  if (Object.is(d, -0)) return -0
  if (d > 1e38) return Infinity
  let dp1 = f(d + 1)
  const tiny = dp1 < FLT_MIN
  if (tiny) dp1 = f(dp1 * 2 ** 64)
  BITS_F[0] = f(dp1 * FOUR_THIRDS)
  let e = ((BITS_I[0] >>> 23) & 0xff) - 0x7f
  const t = pow2(-e)
  const m = fmaf(d, t, f(t - 1))
  if (tiny) e -= 64
  // dfdiv((m, 0), dfadd_vf2_vf_vf(2, m))
  const ah = f(2 + m)
  divPair(m, 0, ah, f(f(2 - ah) + m))
  return logEnd(e, PAIR[0], PAIR[1])
}

/** e·ln 2 + 2·atanh(x) for x = (xh, xl) in double-floats: the end xlogf_u1 and xlog1pf share */
function logEnd(e: number, xh: number, xl: number): number {
  const x2 = f(xh * xh)
  let t = f(0.3027294874)
  t = fmaf(t, x2, f(0.3996108174))
  t = fmaf(t, x2, f(0.666669488))
  mulScalar(LN2_HI, LN2_LO, e)
  addPair(PAIR[0], PAIR[1], f(xh * 2), f(xl * 2))
  // dfadd_vf2_vf2_vf(s, x2·x·t)
  const y = f(f(x2 * xh) * t)
  const rh = f(PAIR[0] + y)
  const rl = f(f(f(PAIR[0] - rh) + y) + PAIR[1])
  return f(rh + rl)
}

/**
 * xlogf_u1 (Sleef_logf8_u10, torch's Vectorized<float>::log): log(d) from m = d/2^e, e chosen so
 * that m lies in [0.75, 1.5), as 2·atanh((m − 1)/(m + 1)) + e·ln 2 in double-floats
 */
export function sleefLogf(d: number): number {
  if (d !== d || d < 0) return NaN
  if (d === 0) return -Infinity
  if (d === Infinity) return Infinity
  const tiny = d < FLT_MIN
  if (tiny) d = f(d * 2 ** 64)
  BITS_F[0] = f(d * FOUR_THIRDS)
  let e = ((BITS_I[0] >>> 23) & 0xff) - 0x7f
  // vldexp3: the exponent field moved, exactly
  const m = d * pow2(-e)
  if (tiny) e -= 64
  // dfdiv(dfadd2_vf2_vf_vf(−1, m), dfadd2_vf2_vf_vf(1, m))
  add2(1, 0, m)
  const dh = PAIR[0]
  const dl = PAIR[1]
  add2(-1, 0, m)
  divPair(PAIR[0], PAIR[1], dh, dl)
  return logEnd(e, PAIR[0], PAIR[1])
}
