/**
 * Where plain JavaScript runs instead of a call into the SIMD kernels, decided here and nowhere
 * else. A call into WebAssembly and the lookups of the buffers
 * behind its arrays cost more than the whole of a tiny layer's arithmetic (the course's
 * Linear(1, 1) at batch 2 is four multiplications), so those layers stay in JavaScript:
 * - a product over fewer inputs than one f32x4 vector: blasOrder.ts's JavaScript takes it in
 *   torch's order, as kernels.wat would, without the call;
 * - an optimizer update of a parameter this short: updateRules.ts is what kernels.wat repeats
 *   lane for lane (tests/unit/kernels.test.ts holds them to the bit).
 */

/** floats in one f32x4 vector */
const LANES = 4
/**
 * one vector: measured warm (SGD, load 7), a checked kernel call costs 25–70 ns whatever the
 * length and the JavaScript rule 9–16 ns for one or two values, 47 ns for four, 118 for sixteen
 */
const SHORT_PARAMETER = LANES

/** a product over k inputs runs in JavaScript */
export function narrowProduct(k: number): boolean {
  return k < LANES
}

/** an update of a parameter of this many values runs in JavaScript */
export function shortParameter(length: number): boolean {
  return length <= SHORT_PARAMETER
}
