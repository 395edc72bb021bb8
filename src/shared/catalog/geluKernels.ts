/**
 * nn.GELU (the exact erf form) as torch 1.13 computes it in float32 on the CPU. Above one element
 * torch hands GELU and its backward to oneDNN (v2.6.3's jit eltwise gelu_erf, the same code on
 * AVX2 and AVX-512): erf by Abramowitz and Stegun's 7.1.26, exp(−x²) by oneDNN's own range
 * reduction and polynomial, each op rounded or fused as the JIT emits it. A tensor of one element
 * stays with ATen's scalar kernel (glibc's erff and expf, glibcKernels.ts). Measured on 4015 points
 * in [−6, 6] and at the extremes: both bit for bit everywhere (the scalar path differed at 40 and
 * 40 with erf in double: interop/geluTanh.test.ts).
 */
import { glibcErff, glibcExpf } from './glibcKernels'
import { fmaf } from '../float32'

const f = Math.fround
const fromBits = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0]

// oneDNN's table, as the JIT loads it (hexadecimal float32 patterns)
const LOG2E = fromBits(0x3fb8aa3b)
const LN_FLT_MAX = fromBits(0x42b17218)
const LN_FLT_MIN = fromBits(0xc2aeac50)
const LN2 = fromBits(0x3f317218)
/** exp's polynomial on the reduced argument, from the constant term up */
const EXP_POLY = [0x3f7ffffb, 0x3efffee3, 0x3e2aad40, 0x3d2b9d0d, 0x3c07cfce].map(fromBits)
const AS_P = fromBits(0x3ea7ba05)
const ONE_OVER_SQRT2 = fromBits(0x3f3504f3)
const ONE_OVER_SQRT_PI = fromBits(0x3f106eba)
/** Abramowitz and Stegun's a1…a5 */
const AS_POLY = [0x3e827906, 0xbe91a98e, 0x3fb5f0e3, 0xbfba00e3, 0x3f87dc22].map(fromBits)

/** oneDNN's exp: n = floor(x·log2(e) + ½), r = x − n·ln2 fused, a degree-5 polynomial in r, times 2ⁿ⁻¹ and 2 */
function oneDnnExp(v: number): number {
  if (v < LN_FLT_MIN) return 0
  const x = Math.min(v, LN_FLT_MAX)
  const n = Math.floor(f(f(x * LOG2E) + 0.5))
  const r = fmaf(-n, LN2, x)
  let p = EXP_POLY[4]
  for (let i = 3; i >= 0; i--) p = fmaf(p, r, EXP_POLY[i])
  p = fmaf(p, r, 1)
  return f(f(p * 2 ** (n - 1)) * 2)
}

/** sign(x)·(1 − t·poly(t)·e) with t = 1 / (p·|x| + 1), given e = exp(−x²) as oneDNN computed it */
function abramowitzStegunErf(x: number, e: number): number {
  const t = f(1 / fmaf(AS_P, Math.abs(x), 1))
  let r = AS_POLY[4]
  for (let i = 3; i >= 0; i--) r = fmaf(r, t, AS_POLY[i])
  const erf = fmaf(f(-e * t), r, 1)
  return x < 0 || Object.is(x, -0) ? -erf : erf
}

/** oneDNN's forward: S + S·erf(s/√2) fused, S = s/2 */
export function geluForward(s: number): number {
  const x = f(s * ONE_OVER_SQRT2)
  const erf = abramowitzStegunErf(x, oneDnnExp(-f(x * x)))
  const half = s * 0.5
  return fmaf(erf, half, half)
}

/** oneDNN's backward: dy · ((R/√π·exp(−R²) + ½) + ½·erf(R)) with R = s/√2, the last step fused */
export function geluGrad(dy: number, s: number): number {
  const r = f(s * ONE_OVER_SQRT2)
  const q = oneDnnExp(-f(r * r))
  const t = f(f(r * ONE_OVER_SQRT_PI) * q)
  const erf = abramowitzStegunErf(r, q)
  return f(dy * fmaf(erf, 0.5, f(t + 0.5)))
}

// ATen's scalar kernel, for a one-element tensor: kAlpha = (float)M_SQRT1_2, kBeta = (float)(M_SQRT1_2·M_2_SQRTPI·½)
const K_ALPHA = f(Math.SQRT1_2)
const K_BETA = f(Math.SQRT1_2 * (2 / Math.sqrt(Math.PI)) * 0.5)

/** x·½·(1 + erff(x·kAlpha)), each op rounded */
export function geluForwardScalar(x: number): number {
  return f(f(x * 0.5) * f(1 + glibcErff(f(x * K_ALPHA))))
}

/** dy·(cdf + x·pdf), cdf = ½·(1 + erff(x·kAlpha)), pdf = kBeta·expf(x·x·−½), each op rounded */
export function geluGradScalar(dy: number, x: number): number {
  const cdf = f(0.5 * f(1 + glibcErff(f(x * K_ALPHA))))
  const pdf = f(K_BETA * glibcExpf(f(f(x * x) * -0.5)))
  return f(dy * f(cdf + f(x * pdf)))
}
