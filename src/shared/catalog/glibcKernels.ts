/**
 * glibc 2.36's float functions as torch 1.13's scalar loops reach them (std::exp and std::log1p
 * on a float, in the last numel mod 16 values of a cpu_kernel_vec op; std::erf in a one-element
 * GELU; std::log in BCELoss's kernel): expf is e_expf.c, in double with a 32-entry table of 2^(i/32),
 * logf e_logf.c, in double with a 16-entry table; log1pf and erff are
 * fdlibm's s_log1pf.c and s_erff.c, every op in float32 (erff: bit for bit on 450,010 points).
 * Measured against Debian's libm on 750,032 points (uniform in [−110, 100], [−1, 1], up to 1e6,
 * the extremes): bit for bit, where f32(Math.exp) differs from expf at 360 (interop/sleefGlibc.test.ts).
 */
import { pow2 } from '../float32'

const f = Math.fround
const BITS_F = new Float32Array(1)
const BITS_I = new Int32Array(BITS_F.buffer)
const bitsOf = (v: number): number => {
  BITS_F[0] = v
  return BITS_I[0]
}
const fromBits = (bits: number): number => {
  BITS_I[0] = bits
  return BITS_F[0]
}

/** 2^(i/32) rounded to double, e_exp2f_data.c's table without its exponent adjustment */
const EXP2_TABLE = [
  1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237, 1.0905077326652577, 1.1143867425958924, 1.1387886347566916, 1.1637248587775775,
  1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332, 1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
  1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228, 1.5422108254079407, 1.5759808451078865, 1.6104903319492543, 1.645755478153965,
  1.681792830507429, 1.718619298122478, 1.7562521603732995, 1.7947090750031072, 1.8340080864093424, 1.8741676341103, 1.9152065613971474, 1.9571441241754002,
]
const INV_LN2_N = 46.16624130844683 // 0x1.71547652b82fep+0 · 32
const C0 = 1.6938359250920212e-6 // 0x1.c6af84b912394p-5 / 32³
const C1 = 0.00023459809789509004 // 0x1.ebfce50fac4f3p-3 / 32²
const C2 = 0.021660849396613134 // 0x1.62e42ff0c52d6p-1 / 32
const SHIFT = 6755399441055744 // 0x1.8p52: adding and taking it away rounds to an integer, ties to even

/** e_expf.c: exp(x) = 2^(k/32)·2^(r/32), k = round(x·32/ln2), a cubic in r, all in double, rounded once */
export function glibcExpf(x: number): number {
  if (x !== x) return x
  if (x > f(88.72283172607421875)) return Infinity
  if (x < f(-103.9720764160156)) return 0
  const z = INV_LN2_N * x
  const kd = z + SHIFT - SHIFT
  const r = z - kd
  const s = EXP2_TABLE[kd & 31] * pow2(Math.floor(kd / 32))
  const y = (C0 * r + C1) * (r * r) + (C2 * r + 1)
  return f(y * s)
}

/** e_logf_data.c: 1/c and log(c) for the 16 subintervals of [0x3f330000, 2·0x3f330000) */
const LOGF_INVC = [
  1.398907162146528, 1.3403141896637998, 1.286432210124115, 1.2367150214269895, 1.1906977166711752, 1.1479821020556429, 1.1082251448272158, 1.0711297413057381,
  1.036437278977283, 1.0, 0.9492859795739057, 0.8951049428609004, 0.8476821620351103, 0.8050314851692001, 0.7664671008843108, 0.731428603316328,
]
const LOGF_LOGC = [
  -0.33569133332882284, -0.2929040563774074, -0.2518726580937369, -0.21245868807117255, -0.17453945183745634, -0.1380057072319758, -0.10275976698545139,
  -0.06871392447020525, -0.0357891387398228, 0.0, 0.05204517742929496, 0.11081431298787942, 0.1652495223695143, 0.21687389031699977, 0.2659635028121397,
  0.3127556664073557,
]
const LN2 = 0.6931471805599453
const LOGF_A0 = -0.25089342214237154
const LOGF_A1 = 0.333456765744066
const LOGF_A2 = -0.4999997485802103
const LOGF_OFF = 0x3f330000

/**
 * e_logf.c (std::log on a float, as BCELoss's scalar kernel calls it): x = 2^k·z, log1p(z/c − 1)
 * by a cubic in double, plus log(c) + k·ln2, rounded once. Its error before that rounding is up to
 * 2⁻²⁵, so it differs from a correctly rounded log on 0.7% of float32s in (0, 1).
 */
export function glibcLogf(x: number): number {
  let ix = bitsOf(x)
  if (ix === 0x3f800000) return 0
  if (ix <= 0 || ix >= 0x7f800000) {
    if ((ix & 0x7fffffff) === 0) return -Infinity
    if (ix === 0x7f800000) return Infinity
    if (ix < 0 || ix > 0x7f800000) return NaN
  }
  if (ix < 0x00800000) ix = bitsOf(f(x * 2 ** 23)) - (23 << 23)
  const tmp = ix - LOGF_OFF
  const i = (tmp >>> 19) % 16
  const k = tmp >> 23
  const z = fromBits(ix - (tmp & (0x1ff << 23)))
  const r = z * LOGF_INVC[i] - 1
  const y0 = LOGF_LOGC[i] + k * LN2
  const r2 = r * r
  const y = (LOGF_A0 * r2 + (LOGF_A1 * r + LOGF_A2)) * r2 + (y0 + r)
  return f(y)
}

const LN2_HI = f(6.9313812256e-1)
const LN2_LO = f(9.0580006145e-6)
const LP = [6.6666668653e-1, 4.0000000596e-1, 2.8571429849e-1, 2.2222198546e-1, 1.818357259e-1, 1.5313838422e-1, 1.479819864e-1].map(f)

/** s_log1pf.c: log(1 + x) = k·ln2 + log(1 + f), log(1 + f) by its series in s = f/(2 + f) */
export function glibcLog1pf(x: number): number {
  const hx = bitsOf(x)
  const ax = hx & 0x7fffffff
  let k = 1
  let fr = 0
  let hu = 0
  let c = 0
  if (hx < 0x3ed413d7) {
    if (ax >= 0x3f800000) return x === -1 ? -Infinity : NaN
    if (ax < 0x31000000) return ax < 0x24800000 ? x : f(x - f(f(x * x) * 0.5))
    if (hx > 0 || hx <= (0xbe95f61f | 0)) {
      k = 0
      fr = x
      hu = 1
    }
  }
  if (hx >= 0x7f800000) return f(x + x)
  if (k !== 0) {
    let u: number
    if (hx < 0x5a000000) {
      u = f(1 + x)
      hu = bitsOf(u)
      k = (hu >> 23) - 127
      c = k > 0 ? f(1 - f(u - x)) : f(x - f(u - 1))
      c = f(c / u)
    } else {
      u = x
      hu = bitsOf(u)
      k = (hu >> 23) - 127
      c = 0
    }
    hu &= 0x007fffff
    if (hu < 0x3504f7) u = fromBits(hu | 0x3f800000)
    else {
      k += 1
      u = fromBits(hu | 0x3f000000)
      hu = (0x00800000 - hu) >> 2
    }
    fr = f(u - 1)
  }
  const hfsq = f(f(0.5 * fr) * fr)
  if (hu === 0) {
    if (fr === 0) return k === 0 ? 0 : f(f(k * LN2_HI) + f(c + f(k * LN2_LO)))
    const R = f(hfsq * f(1 - f(f(0.6666666666666666) * fr)))
    return k === 0 ? f(fr - R) : f(f(k * LN2_HI) - f(f(R - f(f(k * LN2_LO) + c)) - fr))
  }
  const s = f(fr / f(2 + fr))
  const z = f(s * s)
  let R = LP[6]
  for (let i = 5; i >= 0; i--) R = f(LP[i] + f(z * R))
  R = f(z * R)
  if (k === 0) return f(fr - f(hfsq - f(s * f(hfsq + R))))
  return f(f(k * LN2_HI) - f(f(hfsq - f(f(s * f(hfsq + R)) + f(f(k * LN2_LO) + c))) - fr))
}

const ERX = f(8.4506291151e-1)
const EFX = f(1.2837916613e-1)
/** fdlibm's rational approximations, each list from its constant term up */
const PP = [1.2837916613e-1, -3.2504209876e-1, -2.8481749818e-2, -5.770270247e-3, -2.3763017452e-5].map(f)
const QQ = [1, 3.9791721106e-1, 6.50222525e-2, 5.0813062117e-3, 1.3249473704e-4, -3.9602282413e-6].map(f)
const PA = [-2.3621185683e-3, 4.1485610604e-1, -3.7220788002e-1, 3.1834661961e-1, -1.1089469492e-1, 3.5478305072e-2, -2.1663755178e-3].map(f)
const QA = [1, 1.0642088205e-1, 5.4039794207e-1, 7.1828655899e-2, 1.2617121637e-1, 1.3637083583e-2, 1.1984500103e-2].map(f)
const RA = [-9.8649440333e-3, -6.938585639e-1, -1.0558626175e1, -6.2375331879e1, -1.6239666748e2, -1.8460508728e2, -8.1287437439e1, -9.8143291473].map(f)
const SA = [1, 1.965127182e1, 1.3765776062e2, 4.3456588745e2, 6.4538726807e2, 4.2900814819e2, 1.0863500214e2, 6.5702495575, -6.0424413532e-2].map(f)
const RB = [-9.864943102e-3, -7.9928326607e-1, -1.7757955551e1, -1.6063638306e2, -6.3756646729e2, -1.0250950928e3, -4.8351919556e2].map(f)
const SB = [1, 3.0338060379e1, 3.2579251099e2, 1.5367296143e3, 3.1998581543e3, 2.553050293e3, 4.7452853394e2, -2.2440952301e1].map(f)

/** c0 + z·(c1 + z·(…)) in float32, as fdlibm nests it */
function horner(c: readonly number[], z: number): number {
  let r = c[c.length - 1]
  for (let i = c.length - 2; i >= 0; i--) r = f(c[i] + f(z * r))
  return r
}

/** s_erff.c: a rational approximation on [0, 0.84375) and [0.84375, 1.25), exp(−x²)·R/S beyond, 1 past 6 */
export function glibcErff(x: number): number {
  const hx = bitsOf(x)
  const ix = hx & 0x7fffffff
  if (ix >= 0x7f800000) return x !== x ? x : hx < 0 ? -1 : 1
  if (ix < 0x3f580000) {
    if (ix < 0x31800000) return ix < 0x04000000 ? f(0.0625 * f(f(16 * x) + f(f(16 * EFX) * x))) : f(x + f(EFX * x))
    const z = f(x * x)
    return f(x + f(x * f(horner(PP, z) / horner(QQ, z))))
  }
  if (ix < 0x3fa00000) {
    const s = f(Math.abs(x) - 1)
    const pq = f(horner(PA, s) / horner(QA, s))
    return hx >= 0 ? f(ERX + pq) : f(-ERX - pq)
  }
  if (ix >= 0x40c00000) return hx >= 0 ? 1 : -1
  const ax = Math.abs(x)
  const s = f(1 / f(ax * ax))
  const wide = ix < 0x4036db6e
  const R = horner(wide ? RA : RB, s)
  const S = horner(wide ? SA : SB, s)
  const z = fromBits(bitsOf(ax) & 0xfffff000)
  const r = f(glibcExpf(f(f(-z * z) - 0.5625)) * glibcExpf(f(f(f(z - ax) * f(z + ax)) + f(R / S))))
  return hx >= 0 ? f(1 - f(r / ax)) : f(f(r / ax) - 1)
}
