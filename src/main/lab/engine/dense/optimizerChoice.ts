/**
 * Which implementation of torch.optim updates a dense network's parameters, decided here and
 * nowhere else: the kernels' KernelOptimizer for the rules they implement, when every parameter
 * lives in the kernels' memory; the JavaScript DenseOptimizer for the rest (Adagrad, and a
 * layer that keeps its parameters elsewhere). A new rule fails to compile until it is placed.
 */
import { assertNever } from '../../../../shared/exhaustive'
import type { OptimizerSpec } from '../../../../shared/schemas'
import type { OptimizerState } from '../engine'
import { KernelOptimizer, type DenseKernels, type F32Block, type KernelOptimizerSpec } from './kernels'
import { DenseOptimizer } from './optimizers'

/** one optimizer step over parameters and gradients bound at creation */
export interface ParameterUpdates {
  readonly implementation: 'kernels' | 'js'
  /** per parameter, in order, whether its update runs in the kernels */
  readonly onKernels: readonly boolean[]
  apply(): void
  state(): OptimizerState
}

function kernelRule(spec: OptimizerSpec): spec is KernelOptimizerSpec {
  switch (spec.name) {
    case 'SGD':
    case 'Adam':
    case 'AdamW':
    case 'RMSprop':
      return true
    case 'Adagrad':
      return false
    default:
      return assertNever(spec, 'optimizer')
  }
}

/** an optimizer with its parameters bound: a class, not closures, so every engine's step calls the same targets */
class BoundUpdates<P> implements ParameterUpdates {
  constructor(
    readonly implementation: ParameterUpdates['implementation'],
    readonly onKernels: readonly boolean[],
    private readonly optimizer: { apply(params: P[], grads: P[]): void; state(): OptimizerState },
    private readonly params: P[],
    private readonly grads: P[],
  ) {}

  apply(): void {
    this.optimizer.apply(this.params, this.grads)
  }

  state(): OptimizerState {
    return this.optimizer.state()
  }
}

export function chooseOptimizer(spec: OptimizerSpec, kernels: DenseKernels, params: Float32Array[], grads: Float32Array[], initial?: OptimizerState): ParameterUpdates {
  const memory = kernels.memory
  const paramBlocks = params.map((p) => memory.blockOf(p))
  const gradBlocks = grads.map((g) => memory.blockOf(g))
  const inMemory = (blocks: (F32Block | null)[]): blocks is F32Block[] => blocks.every((b) => b !== null)
  if (kernelRule(spec) && inMemory(paramBlocks) && inMemory(gradBlocks)) {
    const optimizer = new KernelOptimizer(spec, kernels, paramBlocks, initial)
    return new BoundUpdates('kernels', optimizer.onKernels, optimizer, paramBlocks, gradBlocks)
  }
  return new BoundUpdates('js', params.map(() => false), new DenseOptimizer(spec, params.map((p) => p.length), initial), params, grads)
}
