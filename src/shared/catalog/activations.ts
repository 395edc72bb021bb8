/**
 * PyTorch's activation modules, each as TF Playground's activations are: the function and its
 * derivative side by side, with its arguments (nn.LeakyReLU's negative_slope, nn.ELU's alpha,
 * nn.Softplus's beta and threshold). The dense engine, the schemas, the CLI, the window and
 * the generated PyTorch code all read this one table. Values follow torch 1.13's float32 kernels
 * op by op, with the very float32 functions torch calls (Sleef's in its vector loop, glibc's in its
 * scalar tail, oneDNN's for GELU), bit for bit where measured (docs/PARITY.md).
 */
import { z } from 'zod'
import { argsShape, type ArgSpec } from './args'
import { fmaf } from '../float32'
import { erf } from './erf'
import { geluForward, geluForwardScalar, geluGrad, geluGradScalar } from './geluKernels'
import { glibcExpf, glibcLog1pf } from './glibcKernels'
import { sleefExpf, sleefLog1pf, sleefTanhf } from './sleefKernels'

const SQRT1_2 = Math.SQRT1_2
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI)

type Args = Readonly<Record<string, number>>

/** one of torch's kernels for an activation: the function, and the input's gradient from the output's */
export interface ActivationKernel {
  f(x: number, a: Args): number
  grad(dy: number, x: number, y: number, a: Args): number
}

export interface ActivationDescriptor {
  readonly args: readonly ArgSpec[]
  /** y = f(x), as torch's kernel computes it on most values (its vector loop, where it has one) */
  f(x: number, a: Args): number
  /** dy/dx, given x and y = f(x) */
  der(x: number, y: number, a: Args): number
  /**
   * the input's gradient from the output's, where torch's float32 kernel rounds each op and a
   * double product dy·der rounded once would differ in the last bit; without it, dy·der
   */
  grad?(dy: number, x: number, y: number, a: Args): number
  /**
   * torch's scalar lambda, which takes the last numel mod 16 values of a tensor where its vector
   * loop leaves them (cpu_kernel_vec, vectorLoop.ts): glibc's functions where the vectors call Sleef's
   */
  tail?: ActivationKernel
  /**
   * a tensor of one element, where torch takes another kernel than for larger ones (GELU: oneDNN
   * runs only above one element)
   */
  alone?: ActivationKernel
}

function define<const K extends string, const A extends readonly ArgSpec[]>(name: K, args: A, d: Omit<ActivationDescriptor, 'args'>) {
  return { name, args, ...d, schema: z.strictObject({ kind: z.literal(name), ...argsShape(args) }) }
}

const relu = define('ReLU', [], { f: (x) => (x > 0 ? x : 0), der: (x) => (x > 0 ? 1 : 0) })
const f32 = Math.fround
/**
 * torch 1.13's float32 kernels op by op: 1 / (1 + exp(−x)), Sleef's expf in the vector loop and
 * glibc's in the tail, and sigmoid_backward's dy·(1 − y)·y, each op rounded (measured on 4015
 * points: bit for bit on both paths, where exp rounded once differed from the vector loop at 149
 * and the double formulas at 1510 and 1080: interop/sigmoid.test.ts)
 */
function sigmoidKernel(exp: (v: number) => number): ActivationKernel {
  return { f: (x) => f32(1 / f32(1 + exp(-x))), grad: (dy, _x, y) => f32(f32(dy * f32(1 - y)) * y) }
}
const sigmoidVector = sigmoidKernel(sleefExpf)
const sigmoid = define('Sigmoid', [], {
  f: sigmoidVector.f,
  der: (_x, y) => y * (1 - y),
  grad: sigmoidVector.grad,
  tail: sigmoidKernel(glibcExpf),
})
/**
 * torch.tanh is a vml op (vec::map): Sleef's tanhf on every value, the tail and a one-element
 * tensor too; the backward is tanh_backward's dy·(1 − y·y) with 1 − y·y fused. Both bit for bit on
 * 4015 points (Math.tanh rounded once differed at 4 to 6; the product rounded first, at 3134:
 * interop/geluTanh.test.ts)
 */
const tanh = define('Tanh', [], { f: sleefTanhf, der: (_x, y) => 1 - y * y, grad: (dy, _x, y) => f32(dy * fmaf(-y, y, 1)) })
/**
 * torch 1.13's leaky_relu kernels: negative_slope as a float32 (negval), x·negval and
 * leaky_relu_backward's dy·negval where x ≤ 0, each rounded (interop/activationShapes.test.ts: bit
 * for bit, where the slope in double differed at up to 86 of 320 values)
 */
const leakyRelu = define('LeakyReLU', [{ key: 'negativeSlope', torch: 'negative_slope', type: 'number', default: 0.01, label: 'negative_slope' }], {
  f: (x, a) => (x > 0 ? x : f32(x * f32(a.negativeSlope))),
  der: (x, _y, a) => (x > 0 ? 1 : a.negativeSlope),
  grad: (dy, x, _y, a) => (x > 0 ? dy : f32(dy * f32(a.negativeSlope))),
})
/**
 * torch 1.13's elu kernels op by op from an exp: (exp(x) − 1)·alpha and elu_backward's
 * dy·alpha·exp(x) where x ≤ 0, each op rounded, Sleef's expf in the vector loop and glibc's in the
 * tail (measured on 4015 points for alpha 1, 0.5, 0: bit for bit on both paths, where exp rounded
 * once differed at 33 forward and 186 backward, expm1 rounded once at 258, dy·(y + alpha) at
 * 1509: interop/elu.test.ts)
 */
function eluKernel(exp: (v: number) => number): ActivationKernel {
  return {
    f: (x, a) => (x > 0 ? x : f32(f32(exp(x) - 1) * f32(a.alpha))),
    grad: (dy, x, _y, a) => (x > 0 ? dy : f32(f32(dy * f32(a.alpha)) * exp(x))),
  }
}
const eluVector = eluKernel(sleefExpf)
const elu = define('ELU', [{ key: 'alpha', torch: 'alpha', type: 'number', default: 1, label: 'alpha' }], {
  f: eluVector.f,
  // torch's elu_backward from the result: y + alpha where x ≤ 0
  der: (x, y, a) => (x > 0 ? 1 : y + a.alpha),
  grad: eluVector.grad,
  tail: eluKernel(glibcExpf),
})
/** nn.GELU's default, the exact erf form, in oneDNN's float32 ops (geluKernels.ts) */
const gelu = define('GELU', [], {
  f: geluForward,
  der: (x) => 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  grad: (dy, x) => geluGrad(dy, x),
  alone: { f: geluForwardScalar, grad: (dy, x) => geluGradScalar(dy, x) },
})
/**
 * torch 1.13's softplus kernels op by op from an exp and a log1p: x itself where x·beta (in
 * float32) passes the threshold, else log1p(exp(x·beta)) / beta, and softplus_backward's
 * dy·z / (z + 1) with z = exp(x·beta), each op rounded; Sleef's expf and log1pf in the vector
 * loop, glibc's in the tail (measured on 4015 points for four settings: bit for bit on both paths,
 * where exp and log1p rounded once differed from the vector loop at 211 to 290 forward and 147
 * to 227 backward: interop/softplus.test.ts)
 */
function softplusKernel(exp: (v: number) => number, log1p: (v: number) => number): ActivationKernel {
  return {
    f: (x, a) => {
      const beta = f32(a.beta)
      const scaled = f32(x * beta)
      return scaled > f32(a.threshold) ? x : f32(log1p(exp(scaled)) / beta)
    },
    grad: (dy, x, _y, a) => {
      const scaled = f32(x * f32(a.beta))
      if (scaled > f32(a.threshold)) return dy
      const z = exp(scaled)
      return f32(f32(dy * z) / f32(z + 1))
    },
  }
}
const softplusVector = softplusKernel(sleefExpf, sleefLog1pf)
const softplus = define(
  'Softplus',
  [
    { key: 'beta', torch: 'beta', type: 'number', default: 1, above: 0, label: 'beta' },
    { key: 'threshold', torch: 'threshold', type: 'number', default: 20, label: 'threshold' },
  ],
  {
    f: softplusVector.f,
    der: (x, _y, a) => (x * a.beta > a.threshold ? 1 : 1 / (1 + Math.exp(-a.beta * x))),
    grad: softplusVector.grad,
    tail: softplusKernel(glibcExpf, glibcLog1pf),
  },
)

/** in the order the window lists them */
export const ACTIVATION_TABLE = [relu, sigmoid, tanh, leakyRelu, elu, gelu, softplus] as const
export type ActivationName = (typeof ACTIVATION_TABLE)[number]['name']
export const ACTIVATIONS = ACTIVATION_TABLE.map((a) => a.name) as [ActivationName, ...ActivationName[]]

export const activationSchema = z.discriminatedUnion('kind', [relu.schema, sigmoid.schema, tanh.schema, leakyRelu.schema, elu.schema, gelu.schema, softplus.schema])
export type ActivationLayer = z.output<typeof activationSchema>

const BY_NAME = new Map<string, ActivationDescriptor>(ACTIVATION_TABLE.map((a) => [a.name, a]))

export function activationOf(name: ActivationName): ActivationDescriptor {
  return BY_NAME.get(name)!
}

export function isActivation(kind: string): kind is ActivationName {
  return BY_NAME.has(kind)
}

/** an activation layer with PyTorch's default arguments */
export function activationLayer(name: ActivationName): ActivationLayer {
  return activationSchema.parse({ kind: name })
}
