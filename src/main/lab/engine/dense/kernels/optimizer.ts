/**
 * torch.optim over parameters in the kernels' memory: the state buffers a rule keeps (under
 * torch's names), the step count, a checkpoint's state in and out, and one kernel call per
 * parameter per step. Buffers are allocated with the optimizer, before any batch buffer, so a
 * step never allocates; a buffer counts as state only once torch would have created it.
 */
import { labError } from '../../../../../shared/errors'
import type { OptimizerSpec } from '../../../../../shared/schemas'
import type { OptimizerState } from '../../engine'
import { adamScalars, rmspropScalars, sgdScalars, stateBufferNames, stateBufferStart } from '../updateRules'
import type { DenseKernels } from './contract'
import type { F32Block } from './memory'

/** the rules the kernels implement (chooseOptimizer in ../optimizerChoice.ts decides who runs which) */
export type KernelOptimizerSpec = Extract<OptimizerSpec, { name: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' }>

interface ParameterState {
  buffers: Map<string, F32Block>
  /** false until the first step (or a checkpoint) gives torch's state for this parameter */
  live: boolean
  /** buffers a checkpoint held that this rule does not use: kept, and written back out */
  foreign: Record<string, Float32Array>
}

export class KernelOptimizer {
  step: number
  private readonly states: ParameterState[]

  constructor(
    private readonly spec: KernelOptimizerSpec,
    private readonly kernels: DenseKernels,
    params: F32Block[],
    initial?: OptimizerState,
  ) {
    this.step = initial?.step ?? 0
    const names = stateBufferNames(spec)
    this.states = params.map((p, i) => {
      const saved = initial?.buffers[i] ?? {}
      const buffers = new Map(names.map((name) => [name, kernels.memory.alloc(p.length)]))
      for (const [name, block] of buffers) {
        const data = saved[name]
        if (!data) {
          block.array.fill(stateBufferStart(spec))
          continue
        }
        if (data.length !== p.length) {
          throw labError('CHECKPOINT_INVALID', `The optimizer state ${name} of parameter ${i} holds ${data.length} values, but the parameter has ${p.length}.`, { key: name })
        }
        block.array.set(data)
      }
      const foreign = Object.fromEntries(Object.entries(saved).filter(([name]) => !buffers.has(name)).map(([name, data]) => [name, data.slice()]))
      return { buffers, live: names.some((name) => name in saved), foreign }
    })
  }

  /** one update of every parameter from its gradient */
  apply(params: F32Block[], grads: F32Block[]): void {
    this.step++
    const s = this.spec
    switch (s.name) {
      case 'SGD': {
        const scalars = sgdScalars(s)
        this.states.forEach((state, i) => this.kernels.sgd(s, scalars, params[i], grads[i], state.buffers.get('momentum_buffer') ?? null, !state.live))
        break
      }
      case 'Adam':
      case 'AdamW': {
        const scalars = adamScalars(s, this.step)
        this.states.forEach(({ buffers: b }, i) => this.kernels.adam(s, scalars, params[i], grads[i], b.get('exp_avg')!, b.get('exp_avg_sq')!, b.get('max_exp_avg_sq') ?? null))
        break
      }
      case 'RMSprop': {
        const scalars = rmspropScalars(s)
        this.states.forEach(({ buffers: b }, i) => this.kernels.rmsprop(s, scalars, params[i], grads[i], b.get('square_avg')!, b.get('grad_avg') ?? null, b.get('momentum_buffer') ?? null))
        break
      }
    }
    for (const state of this.states) state.live = true
  }

  state(): OptimizerState {
    return {
      step: this.step,
      buffers: this.states.map((s) => ({
        ...Object.fromEntries(Object.entries(s.foreign).map(([name, data]) => [name, data.slice()])),
        ...(s.live ? Object.fromEntries([...s.buffers].map(([name, block]) => [name, block.array.slice()])) : {}),
      })),
    }
  }
}
