/**
 * torch.optim over plain Float32Arrays: the state buffers torch keeps (created on a
 * parameter's first step, as torch creates them), the step count, a checkpoint's state in and
 * out. The formulas are updateRules.ts's; this runs every rule the kernels do not, and every
 * rule for parameters outside the kernels' memory (optimizerChoice.ts decides).
 */
import { stepCounter } from '../../../../shared/catalog/optimizers'
import { assertNever } from '../../../../shared/exhaustive'
import type { OptimizerSpec } from '../../../../shared/schemas'
import type { OptimizerState } from '../engine'
import { adagradScalars, adagradUpdate, adamScalars, adamUpdate, initialScalars, rmspropUpdate, sgdUpdate, stateBufferNames, stateBufferStart, type AdagradScalars, type AdamScalars, type RmspropScalars, type RuleScalars, type SgdScalars } from './updateRules'

export class DenseOptimizer {
  step: number
  private readonly buffers: Record<string, Float32Array>[]
  private readonly names: string[]
  /** the rule's float32 scalars, made once; those that change with the step are rewritten in place */
  private readonly scalars: RuleScalars
  private readonly nextStep: (step: number) => number

  constructor(
    private readonly spec: OptimizerSpec,
    sizes: number[],
    initial?: OptimizerState,
  ) {
    this.step = initial?.step ?? 0
    this.buffers = sizes.map((_, i) => ({ ...Object.fromEntries(Object.entries(initial?.buffers[i] ?? {}).map(([k, v]) => [k, v.slice()])) }))
    this.names = stateBufferNames(spec)
    this.scalars = initialScalars(spec)
    this.nextStep = stepCounter(spec.name)
  }

  /** makes parameter i's state buffers under torch's names on its first step; true when this call made them */
  private ensureState(i: number, size: number): boolean {
    const b = this.buffers[i]
    let fresh = false
    for (const name of this.names) {
      if (b[name]) continue
      b[name] = new Float32Array(size).fill(stateBufferStart(this.spec))
      fresh = true
    }
    return fresh
  }

  /** one update of every parameter from its gradient; after a parameter's first step it allocates nothing */
  apply(params: Float32Array[], grads: Float32Array[]): void {
    this.step = this.nextStep(this.step)
    const s = this.spec
    switch (s.name) {
      case 'SGD': {
        const scalars = this.scalars as SgdScalars
        for (let i = 0; i < params.length; i++) {
          const fresh = this.ensureState(i, params[i].length)
          sgdUpdate(s, scalars, params[i], grads[i], this.buffers[i].momentum_buffer ?? null, fresh)
        }
        return
      }
      case 'Adam':
      case 'AdamW': {
        const scalars = adamScalars(s, this.step, this.scalars as AdamScalars)
        for (let i = 0; i < params.length; i++) {
          this.ensureState(i, params[i].length)
          const b = this.buffers[i]
          adamUpdate(s, scalars, params[i], grads[i], b.exp_avg, b.exp_avg_sq, b.max_exp_avg_sq ?? null)
        }
        return
      }
      case 'RMSprop': {
        const scalars = this.scalars as RmspropScalars
        for (let i = 0; i < params.length; i++) {
          this.ensureState(i, params[i].length)
          const b = this.buffers[i]
          rmspropUpdate(s, scalars, params[i], grads[i], b.square_avg, b.grad_avg ?? null, b.momentum_buffer ?? null)
        }
        return
      }
      case 'Adagrad': {
        const scalars = adagradScalars(s, this.step, this.scalars as AdagradScalars)
        for (let i = 0; i < params.length; i++) {
          this.ensureState(i, params[i].length)
          adagradUpdate(scalars, params[i], grads[i], this.buffers[i].sum)
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
