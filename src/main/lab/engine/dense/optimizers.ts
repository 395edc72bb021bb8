/**
 * torch.optim over plain Float32Arrays: the state buffers torch keeps (created on a
 * parameter's first step, as torch creates them), the step count, a checkpoint's state in and
 * out. The formulas are updateRules.ts's; this runs every rule the kernels do not, and every
 * rule for parameters outside the kernels' memory (optimizerChoice.ts decides).
 */
import { assertNever } from '../../../../shared/exhaustive'
import type { OptimizerSpec } from '../../../../shared/schemas'
import type { OptimizerState } from '../engine'
import { adagradScalars, adagradUpdate, adamScalars, adamUpdate, rmspropScalars, rmspropUpdate, sgdScalars, sgdUpdate, stateBufferNames, stateBufferStart } from './updateRules'

export { fmaf } from './updateRules'

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

  /** parameter i's state buffers under torch's names, made on its first step (fresh: made by this call) */
  private stateOf(i: number, size: number): { b: Record<string, Float32Array>; fresh: boolean } {
    const b = this.buffers[i]
    let fresh = false
    for (const name of stateBufferNames(this.spec)) {
      if (b[name]) continue
      b[name] = new Float32Array(size).fill(stateBufferStart(this.spec))
      fresh = true
    }
    return { b, fresh }
  }

  /** one update of every parameter from its gradient */
  apply(params: Float32Array[], grads: Float32Array[]): void {
    this.step++
    const s = this.spec
    switch (s.name) {
      case 'SGD': {
        const scalars = sgdScalars(s)
        params.forEach((p, i) => {
          const { b, fresh } = this.stateOf(i, p.length)
          sgdUpdate(s, scalars, p, grads[i], b.momentum_buffer ?? null, fresh)
        })
        return
      }
      case 'Adam':
      case 'AdamW': {
        const scalars = adamScalars(s, this.step)
        params.forEach((p, i) => {
          const { b } = this.stateOf(i, p.length)
          adamUpdate(s, scalars, p, grads[i], b.exp_avg, b.exp_avg_sq, b.max_exp_avg_sq ?? null)
        })
        return
      }
      case 'RMSprop': {
        const scalars = rmspropScalars(s)
        params.forEach((p, i) => {
          const { b } = this.stateOf(i, p.length)
          rmspropUpdate(s, scalars, p, grads[i], b.square_avg, b.grad_avg ?? null, b.momentum_buffer ?? null)
        })
        return
      }
      case 'Adagrad': {
        const scalars = adagradScalars(s, this.step)
        params.forEach((p, i) => adagradUpdate(scalars, p, grads[i], this.stateOf(i, p.length).b.sum))
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
