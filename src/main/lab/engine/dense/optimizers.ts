/**
 * torch.optim's update rules (torch 1.13, single-tensor path) over Float32Arrays, op for op
 * as torch's CPU kernels round them, with no allocation per step. Python computes each
 * hyperparameter expression (1 − β₁, −lr, lr / bias_correction1) in double; the kernel then
 * casts it to a float32 scalar. Measured on torch 1.13 (x86-64, both the vectorised body and
 * the scalar tail): `add(other, alpha)` and `addcmul(t1, t2, value)` end in one fused
 * multiply-add — self + alpha·other and self + (value·t1)·t2 rounded once — while
 * `addcdiv(t1, t2, value)` rounds value·t1, then the quotient, then the sum.
 */
import { assertNever } from '../../../../shared/exhaustive'
import type { OptimizerSpec } from '../../../../shared/schemas'
import type { OptimizerState } from '../engine'

const f = Math.fround
const BITS_F = new Float32Array(1)
const BITS_I = new Int32Array(BITS_F.buffer)

/** the float32 beside r (a float32) on the side of `towards` */
function neighbour(r: number, towards: number): number {
  if (r === 0) return towards > 0 ? 2 ** -149 : -(2 ** -149)
  BITS_F[0] = r
  BITS_I[0] += towards > r === r > 0 ? 1 : -1
  return BITS_F[0]
}

/**
 * a·b + c rounded once to float32, for float32 a, b, c (C's fmaf): the product is exact in a
 * double, the sum's rounding error is recovered exactly (TwoSum), and it decides the only case
 * where rounding twice differs from rounding once — a double sum on a float32 tie.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b
  const s = p + c
  const r = f(s)
  if (r === s || !Number.isFinite(r)) return r
  const z = s - p
  const err = p - (s - z) + (c - z)
  if (err === 0) return r
  const other = neighbour(r, s)
  if (s - r !== other - s) return r
  return err > 0 === other > r ? other : r
}

/** torch's `self.add(other, alpha=alpha)` on float32, alpha already a float32 */
const add = (self: number, other: number, alpha32: number): number => fmaf(other, alpha32, self)
/** torch's `self.addcmul(t1, t2, value=value)` */
const addcmul = (self: number, t1: number, t2: number, value32: number): number => fmaf(f(value32 * t1), t2, self)
/** torch's `self.addcdiv(t1, t2, value=value)` */
const addcdiv = (self: number, t1: number, t2: number, value32: number): number => f(self + f(f(value32 * t1) / t2))

export class DenseOptimizer {
  step: number
  private readonly buffers: Record<string, Float32Array>[]

  constructor(
    private readonly spec: OptimizerSpec,
    sizes: number[],
    initial?: OptimizerState,
  ) {
    this.step = initial?.step ?? 0
    this.buffers = sizes.map((_, i) => ({ ...Object.fromEntries(Object.entries(initial?.buffers[i] ?? {}).map(([k, v]) => [k, v.slice()])) }))
  }

  private buffer(i: number, key: string, size: number, initial = 0): { data: Float32Array; fresh: boolean } {
    const existing = this.buffers[i][key]
    if (existing) return { data: existing, fresh: false }
    const data = new Float32Array(size).fill(initial)
    this.buffers[i][key] = data
    return { data, fresh: true }
  }

  /** one update of every parameter from its gradient */
  apply(params: Float32Array[], grads: Float32Array[]): void {
    this.step++
    params.forEach((p, i) => this.update(p, grads[i], i))
  }

  private update(p: Float32Array, g: Float32Array, i: number): void {
    const s = this.spec
    const n = p.length
    const wd = f(s.weightDecay)
    // grad.add(param, alpha=weight_decay), which torch skips at 0
    const decayed = (j: number): number => (s.weightDecay !== 0 ? add(g[j], p[j], wd) : g[j])
    switch (s.name) {
      case 'SGD': {
        const negLr = f(-s.lr)
        if (s.momentum === 0) {
          for (let j = 0; j < n; j++) p[j] = add(p[j], decayed(j), negLr)
          return
        }
        const momentum = f(s.momentum)
        const keep = f(1 - s.dampening)
        const { data: buf, fresh } = this.buffer(i, 'momentum_buffer', n)
        for (let j = 0; j < n; j++) {
          const d = decayed(j)
          buf[j] = fresh ? d : add(f(buf[j] * momentum), d, keep)
          p[j] = add(p[j], s.nesterov ? add(d, buf[j], momentum) : buf[j], negLr)
        }
        return
      }
      case 'Adam':
      case 'AdamW': {
        const [b1, b2] = s.betas
        const beta1 = f(b1)
        const beta2 = f(b2)
        const oneMinusB1 = f(1 - b1)
        const oneMinusB2 = f(1 - b2)
        const m = this.buffer(i, 'exp_avg', n).data
        const v = this.buffer(i, 'exp_avg_sq', n).data
        const vMax = s.amsgrad ? this.buffer(i, 'max_exp_avg_sq', n).data : null
        const negStepSize = f(-(s.lr / (1 - b1 ** this.step)))
        const bc2Sqrt = f(Math.sqrt(1 - b2 ** this.step))
        const eps = f(s.eps)
        const decay = f(1 - s.lr * s.weightDecay)
        for (let j = 0; j < n; j++) {
          if (s.name === 'AdamW') p[j] = f(p[j] * decay)
          const gj = s.name === 'Adam' ? decayed(j) : g[j]
          m[j] = add(f(m[j] * beta1), gj, oneMinusB1)
          v[j] = addcmul(f(v[j] * beta2), gj, gj, oneMinusB2)
          if (vMax) vMax[j] = Math.max(vMax[j], v[j])
          const denom = f(f(f(Math.sqrt(vMax ? vMax[j] : v[j])) / bc2Sqrt) + eps)
          p[j] = addcdiv(p[j], m[j], denom, negStepSize)
        }
        return
      }
      case 'RMSprop': {
        const alpha = f(s.alpha)
        const oneMinusAlpha = f(1 - s.alpha)
        const eps = f(s.eps)
        const negLr = f(-s.lr)
        const momentum = f(s.momentum)
        const sq = this.buffer(i, 'square_avg', n).data
        const ga = s.centered ? this.buffer(i, 'grad_avg', n).data : null
        const buf = s.momentum > 0 ? this.buffer(i, 'momentum_buffer', n).data : null
        for (let j = 0; j < n; j++) {
          const gj = decayed(j)
          sq[j] = addcmul(f(sq[j] * alpha), gj, gj, oneMinusAlpha)
          let centred = sq[j]
          if (ga) {
            ga[j] = add(f(ga[j] * alpha), gj, oneMinusAlpha)
            centred = addcmul(sq[j], ga[j], ga[j], -1)
          }
          const avg = f(f(Math.sqrt(centred)) + eps)
          if (buf) {
            buf[j] = addcdiv(f(buf[j] * momentum), gj, avg, 1)
            p[j] = add(p[j], buf[j], negLr)
          } else {
            p[j] = addcdiv(p[j], gj, avg, negLr)
          }
        }
        return
      }
      case 'Adagrad': {
        const sum = this.buffer(i, 'sum', n, f(s.initialAccumulatorValue)).data
        const negClr = f(-(s.lr / (1 + (this.step - 1) * s.lrDecay)))
        const eps = f(s.eps)
        for (let j = 0; j < n; j++) {
          const gj = decayed(j)
          sum[j] = addcmul(sum[j], gj, gj, 1)
          const std = f(f(Math.sqrt(sum[j])) + eps)
          p[j] = addcdiv(p[j], gj, std, negClr)
        }
        return
      }
      default:
        assertNever(s, 'optimizer')
    }
  }

  state(): OptimizerState {
    return { step: this.step, buffers: this.buffers.map((b) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.slice()]))) }
  }
}
