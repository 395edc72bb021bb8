/**
 * torch.optim over parameters in the kernels' memory: the state buffers a rule keeps (under
 * torch's names), the step count, a checkpoint's state in and out, and one kernel call per
 * parameter per step. Buffers are allocated with the optimizer, before any batch buffer, so a
 * step never allocates; a buffer counts as state only once torch would have created it.
 */
import { stepCounter } from '../../../../../shared/catalog/optimizers'
import { labError } from '../../../../../shared/errors'
import type { OptimizerSpec } from '../../../../../shared/schemas'
import type { OptimizerState } from '../../engine'
import { adamScalars, adamUpdate, initialScalars, rmspropUpdate, sgdUpdate, stateBufferNames, stateBufferStart, type AdamScalars, type RmspropScalars, type RuleScalars, type SgdScalars } from '../updateRules'
import { shortParameter } from './sizeChoice'
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
  /** each state buffer by its torch name, one slot per parameter (null where the rule keeps none): a step looks up nothing */
  private readonly slots: Record<string, (F32Block | null)[]>
  /** the rule's float32 scalars, made once; Adam's change with the step and are rewritten in place */
  private readonly scalars: RuleScalars
  private readonly nextStep: (step: number) => number
  /** per parameter, whether its update calls the kernels (sizeChoice.ts keeps short ones in JavaScript): what runs, and what the engine's backend name reports */
  readonly onKernels: readonly boolean[]

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
    this.slots = Object.fromEntries(names.map((name) => [name, this.states.map((state) => state.buffers.get(name) ?? null)]))
    this.scalars = initialScalars(spec)
    this.nextStep = stepCounter(spec.name)
    this.onKernels = params.map((p) => !shortParameter(p.length))
  }

  /** one update of every parameter from its gradient: a loop over what the constructor resolved, allocating nothing */
  apply(params: F32Block[], grads: F32Block[]): void {
    this.step = this.nextStep(this.step)
    const s = this.spec
    const count = this.states.length
    const onKernels = this.onKernels
    switch (s.name) {
      case 'SGD': {
        const scalars = this.scalars as SgdScalars
        for (let i = 0; i < count; i++) {
          const p = params[i]
          const buf = this.buffer('momentum_buffer', i)
          const fresh = !this.states[i].live
          if (!onKernels[i]) sgdUpdate(s, scalars, p.array, grads[i].array, buf?.array ?? null, fresh)
          else this.kernels.sgd(s, scalars, p, grads[i], buf, fresh)
        }
        break
      }
      case 'Adam':
      case 'AdamW': {
        const scalars = adamScalars(s, this.step, this.scalars as AdamScalars)
        for (let i = 0; i < count; i++) {
          const p = params[i]
          const m = this.buffer('exp_avg', i)!
          const v = this.buffer('exp_avg_sq', i)!
          const vMax = this.buffer('max_exp_avg_sq', i)
          if (!onKernels[i]) adamUpdate(s, scalars, p.array, grads[i].array, m.array, v.array, vMax?.array ?? null)
          else this.kernels.adam(s, scalars, p, grads[i], m, v, vMax)
        }
        break
      }
      case 'RMSprop': {
        const scalars = this.scalars as RmspropScalars
        for (let i = 0; i < count; i++) {
          const p = params[i]
          const sq = this.buffer('square_avg', i)!
          const ga = this.buffer('grad_avg', i)
          const buf = this.buffer('momentum_buffer', i)
          if (!onKernels[i]) rmspropUpdate(s, scalars, p.array, grads[i].array, sq.array, ga?.array ?? null, buf?.array ?? null)
          else this.kernels.rmsprop(s, scalars, p, grads[i], sq, ga, buf)
        }
        break
      }
    }
    for (let i = 0; i < count; i++) this.states[i].live = true
  }

  private buffer(name: string, i: number): F32Block | null {
    return this.slots[name]?.[i] ?? null
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
