/**
 * torch.optim's update rules (torch 1.13, single-tensor path) over Float32Arrays: the same
 * formulas as the tfjs engine's, in plain loops with no allocation per step.
 */
import { assertNever } from '../../../../shared/exhaustive'
import type { OptimizerSpec } from '../../../../shared/schemas'
import type { OptimizerState } from '../engine'

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
    switch (s.name) {
      case 'SGD': {
        const wd = s.weightDecay
        if (s.momentum === 0) {
          for (let j = 0; j < n; j++) p[j] = p[j] - s.lr * (g[j] + wd * p[j])
          return
        }
        const { data: buf, fresh } = this.buffer(i, 'momentum_buffer', n)
        for (let j = 0; j < n; j++) {
          const d = Math.fround(g[j] + wd * p[j])
          buf[j] = fresh ? d : buf[j] * s.momentum + (1 - s.dampening) * d
          const step = s.nesterov ? Math.fround(d + s.momentum * buf[j]) : buf[j]
          p[j] = p[j] - s.lr * step
        }
        return
      }
      case 'Adam':
      case 'AdamW': {
        const [b1, b2] = s.betas
        const m = this.buffer(i, 'exp_avg', n).data
        const v = this.buffer(i, 'exp_avg_sq', n).data
        const stepSize = s.lr / (1 - b1 ** this.step)
        const bc2Sqrt = Math.sqrt(1 - b2 ** this.step)
        const decay = s.name === 'AdamW' ? 1 - s.lr * s.weightDecay : 1
        for (let j = 0; j < n; j++) {
          if (s.name === 'AdamW') p[j] = p[j] * decay
          const gj = s.name === 'Adam' ? Math.fround(g[j] + s.weightDecay * p[j]) : g[j]
          m[j] = m[j] * b1 + (1 - b1) * gj
          v[j] = v[j] * b2 + (1 - b2) * gj * gj
          const denom = Math.fround(Math.fround(Math.sqrt(v[j]) / bc2Sqrt) + s.eps)
          p[j] = p[j] - stepSize * Math.fround(m[j] / denom)
        }
        return
      }
      case 'RMSprop': {
        const sq = this.buffer(i, 'square_avg', n).data
        const ga = s.centered ? this.buffer(i, 'grad_avg', n).data : null
        const buf = s.momentum > 0 ? this.buffer(i, 'momentum_buffer', n).data : null
        for (let j = 0; j < n; j++) {
          const gj = Math.fround(g[j] + s.weightDecay * p[j])
          sq[j] = sq[j] * s.alpha + (1 - s.alpha) * gj * gj
          let avg: number
          if (ga) {
            ga[j] = ga[j] * s.alpha + (1 - s.alpha) * gj
            avg = Math.fround(Math.fround(Math.sqrt(Math.fround(sq[j] - ga[j] * ga[j]))) + s.eps)
          } else {
            avg = Math.fround(Math.fround(Math.sqrt(sq[j])) + s.eps)
          }
          if (buf) {
            buf[j] = buf[j] * s.momentum + gj / avg
            p[j] = p[j] - s.lr * buf[j]
          } else {
            p[j] = p[j] - s.lr * Math.fround(gj / avg)
          }
        }
        return
      }
      case 'Adagrad': {
        const sum = this.buffer(i, 'sum', n, s.initialAccumulatorValue).data
        const clr = s.lr / (1 + (this.step - 1) * s.lrDecay)
        for (let j = 0; j < n; j++) {
          const gj = Math.fround(g[j] + s.weightDecay * p[j])
          sum[j] = sum[j] + gj * gj
          const std = Math.fround(Math.fround(Math.sqrt(sum[j])) + s.eps)
          p[j] = p[j] - clr * Math.fround(gj / std)
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
