/**
 * torch.optim's update rules (torch 1.13, single-tensor path) for one parameter over
 * Float32Arrays, op for op as torch's CPU kernels round them: the one statement of the
 * formulas. DenseOptimizer runs them on plain arrays, the JavaScript kernels on the kernel
 * memory, and kernels.wat repeats them lane for lane (tests/unit/kernels.test.ts holds it to
 * the bit). Python computes each hyperparameter expression (1 − β₁, −lr, lr / bias_correction1)
 * in double; the kernel then casts it to a float32 scalar, so the *Scalars functions hand out
 * float32 values. Measured on torch 1.13 (x86-64, both the vectorised body and the scalar
 * tail): `add(other, alpha)` and `addcmul(t1, t2, value)` end in one fused multiply-add —
 * self + alpha·other and self + (value·t1)·t2 rounded once — while `addcdiv(t1, t2, value)`
 * rounds value·t1, then the quotient, then the sum.
 */
import { assertNever } from '../../../../shared/exhaustive'
import { fmaf } from '../../../../shared/float32'
import type { OptimizerSpec } from '../../../../shared/schemas'


export type SgdSpec = Extract<OptimizerSpec, { name: 'SGD' }>
export type AdamSpec = Extract<OptimizerSpec, { name: 'Adam' | 'AdamW' }>
export type RmspropSpec = Extract<OptimizerSpec, { name: 'RMSprop' }>
export type AdagradSpec = Extract<OptimizerSpec, { name: 'Adagrad' }>

const f = Math.fround
/** torch's `self.add(other, alpha=alpha)` on float32, alpha already a float32 */
const add = (self: number, other: number, alpha32: number): number => fmaf(other, alpha32, self)
/** torch's `self.addcmul(t1, t2, value=value)` */
const addcmul = (self: number, t1: number, t2: number, value32: number): number => fmaf(f(value32 * t1), t2, self)
/** torch's `self.addcdiv(t1, t2, value=value)` */
const addcdiv = (self: number, t1: number, t2: number, value32: number): number => f(self + f(f(value32 * t1) / t2))
/** `grad.add(param, alpha=weight_decay)`, which torch skips at 0 */
const decayed = (g: number, p: number, weightDecay32: number): number => (weightDecay32 !== 0 ? add(g, p, weightDecay32) : g)

/** the state buffers torch creates for a parameter on its first step, under torch's names */
export function stateBufferNames(spec: OptimizerSpec): string[] {
  switch (spec.name) {
    case 'SGD':
      return spec.momentum > 0 ? ['momentum_buffer'] : []
    case 'Adam':
    case 'AdamW':
      return ['exp_avg', 'exp_avg_sq', ...(spec.amsgrad ? ['max_exp_avg_sq'] : [])]
    case 'RMSprop':
      return ['square_avg', ...(spec.centered ? ['grad_avg'] : []), ...(spec.momentum > 0 ? ['momentum_buffer'] : [])]
    case 'Adagrad':
      return ['sum']
    default:
      return assertNever(spec, 'optimizer')
  }
}

/** what a state buffer holds before the first step (Adagrad's sum starts at initial_accumulator_value) */
export function stateBufferStart(spec: OptimizerSpec): number {
  return spec.name === 'Adagrad' ? f(spec.initialAccumulatorValue) : 0
}

export interface SgdScalars {
  negLr: number
  weightDecay: number
  momentum: number
  /** 1 − dampening */
  keep: number
}

export function sgdScalars(spec: SgdSpec): SgdScalars {
  return { negLr: f(-spec.lr), weightDecay: f(spec.weightDecay), momentum: f(spec.momentum), keep: f(1 - spec.dampening) }
}

/** one SGD step; buf (used when momentum > 0) fresh on the step that creates it, as torch clones d_p into it */
export function sgdUpdate(spec: SgdSpec, s: SgdScalars, p: Float32Array, g: Float32Array, buf: Float32Array | null, fresh: boolean): void {
  const n = p.length
  if (spec.momentum === 0) {
    for (let j = 0; j < n; j++) p[j] = add(p[j], decayed(g[j], p[j], s.weightDecay), s.negLr)
    return
  }
  const b = buf!
  for (let j = 0; j < n; j++) {
    const d = decayed(g[j], p[j], s.weightDecay)
    b[j] = fresh ? d : add(f(b[j] * s.momentum), d, s.keep)
    p[j] = add(p[j], spec.nesterov ? add(d, b[j], s.momentum) : b[j], s.negLr)
  }
}

export interface AdamScalars {
  beta1: number
  beta2: number
  oneMinusBeta1: number
  oneMinusBeta2: number
  /** −lr / bias_correction1 */
  negStepSize: number
  /** √bias_correction2 */
  bc2Sqrt: number
  eps: number
  weightDecay: number
  /**
   * AdamW's 1 − lr·weight_decay, a float32 like every scalar: a factor applied to the weights
   * themselves each step, so its rounding compounds (in double it drifted 1e-5 from torch in
   * 480 steps, where rounding differences elsewhere stay near 1e-6)
   */
  decay: number
}

/** step counted from 1; `into` is rewritten and returned (a step allocates nothing) */
export function adamScalars(spec: AdamSpec, step: number, into?: AdamScalars): AdamScalars {
  const b1 = spec.betas[0]
  const b2 = spec.betas[1]
  const s = into ?? ({} as AdamScalars)
  s.beta1 = f(b1)
  s.beta2 = f(b2)
  s.oneMinusBeta1 = f(1 - b1)
  s.oneMinusBeta2 = f(1 - b2)
  s.negStepSize = f(-(spec.lr / (1 - b1 ** step)))
  s.bc2Sqrt = f(Math.sqrt(1 - b2 ** step))
  s.eps = f(spec.eps)
  s.weightDecay = f(spec.weightDecay)
  s.decay = f(1 - spec.lr * spec.weightDecay)
  return s
}

/** one Adam or AdamW step; maxExpAvgSq is used when amsgrad */
export function adamUpdate(spec: AdamSpec, s: AdamScalars, p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, maxExpAvgSq: Float32Array | null): void {
  const n = p.length
  const decoupled = spec.name === 'AdamW'
  const vMax = spec.amsgrad ? maxExpAvgSq : null
  for (let j = 0; j < n; j++) {
    if (decoupled) p[j] = f(p[j] * s.decay)
    const gj = decoupled ? g[j] : decayed(g[j], p[j], s.weightDecay)
    m[j] = add(f(m[j] * s.beta1), gj, s.oneMinusBeta1)
    v[j] = addcmul(f(v[j] * s.beta2), gj, gj, s.oneMinusBeta2)
    if (vMax) vMax[j] = Math.max(vMax[j], v[j])
    const denom = f(f(f(Math.sqrt(vMax ? vMax[j] : v[j])) / s.bc2Sqrt) + s.eps)
    p[j] = addcdiv(p[j], m[j], denom, s.negStepSize)
  }
}

export interface RmspropScalars {
  alpha: number
  oneMinusAlpha: number
  eps: number
  negLr: number
  momentum: number
  weightDecay: number
}

export function rmspropScalars(spec: RmspropSpec): RmspropScalars {
  return { alpha: f(spec.alpha), oneMinusAlpha: f(1 - spec.alpha), eps: f(spec.eps), negLr: f(-spec.lr), momentum: f(spec.momentum), weightDecay: f(spec.weightDecay) }
}

/** one RMSprop step; gradAvg is used when centered, momentumBuffer when momentum > 0 */
export function rmspropUpdate(spec: RmspropSpec, s: RmspropScalars, p: Float32Array, g: Float32Array, sq: Float32Array, gradAvgBuffer: Float32Array | null, momentumBuffer: Float32Array | null): void {
  const n = p.length
  const gradAvg = spec.centered ? gradAvgBuffer : null
  const buf = spec.momentum > 0 ? momentumBuffer : null
  for (let j = 0; j < n; j++) {
    const gj = decayed(g[j], p[j], s.weightDecay)
    sq[j] = addcmul(f(sq[j] * s.alpha), gj, gj, s.oneMinusAlpha)
    let centred = sq[j]
    if (gradAvg) {
      gradAvg[j] = add(f(gradAvg[j] * s.alpha), gj, s.oneMinusAlpha)
      centred = addcmul(sq[j], gradAvg[j], gradAvg[j], -1)
    }
    const avg = f(f(Math.sqrt(centred)) + s.eps)
    if (buf) {
      buf[j] = addcdiv(f(buf[j] * s.momentum), gj, avg, 1)
      p[j] = add(p[j], buf[j], s.negLr)
    } else {
      p[j] = addcdiv(p[j], gj, avg, s.negLr)
    }
  }
}

export interface AdagradScalars {
  /** −lr / (1 + (step − 1)·lr_decay) */
  negClr: number
  eps: number
  weightDecay: number
}

/** step counted from 1; `into` is rewritten and returned (a step allocates nothing) */
export function adagradScalars(spec: AdagradSpec, step: number, into?: AdagradScalars): AdagradScalars {
  const s = into ?? ({} as AdagradScalars)
  s.negClr = f(-(spec.lr / (1 + (step - 1) * spec.lrDecay)))
  s.eps = f(spec.eps)
  s.weightDecay = f(spec.weightDecay)
  return s
}

/** one Adagrad step */
export function adagradUpdate(s: AdagradScalars, p: Float32Array, g: Float32Array, sum: Float32Array): void {
  const n = p.length
  for (let j = 0; j < n; j++) {
    const gj = decayed(g[j], p[j], s.weightDecay)
    sum[j] = addcmul(sum[j], gj, gj, 1)
    const std = f(f(Math.sqrt(sum[j])) + s.eps)
    p[j] = addcdiv(p[j], gj, std, s.negClr)
  }
}

export type RuleScalars = SgdScalars | AdamScalars | RmspropScalars | AdagradScalars

/** a rule's scalars before its first step (Adam's and Adagrad's are rewritten each step) */
export function initialScalars(spec: OptimizerSpec): RuleScalars {
  switch (spec.name) {
    case 'SGD':
      return sgdScalars(spec)
    case 'Adam':
    case 'AdamW':
      return adamScalars(spec, 1)
    case 'RMSprop':
      return rmspropScalars(spec)
    case 'Adagrad':
      return adagradScalars(spec, 1)
    default:
      return assertNever(spec, 'optimizer')
  }
}
