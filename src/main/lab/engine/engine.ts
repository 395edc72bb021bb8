/**
 * What the training loop needs from an engine. The loop never knows which engine runs; any
 * engine is exact to PyTorch's formulas for the layers, losses and optimizers of a ModelSpec.
 */
import type { BackendInfo } from '../../../shared/api'
import type { LossName, ModelSpec, OptimizerSpec } from '../../../shared/schemas'
import type { StateDict } from '../model/stateDict'

/**
 * An optimizer's state in torch.optim's terms: the step count and, per parameter (in
 * state_dict order), buffers under torch's names (momentum_buffer, exp_avg, exp_avg_sq,
 * square_avg, grad_avg), each shaped like its parameter.
 */
export interface OptimizerState {
  step: number
  buffers: Record<string, Float32Array>[]
}

export interface EngineConfig {
  model: ModelSpec
  loss: LossName
  huberDelta: number
  optimizer: OptimizerSpec
  initial: StateDict
  /** to continue a run saved in a checkpoint */
  optimizerState?: OptimizerState
}

export interface Engine {
  readonly info: BackendInfo
  /**
   * One optimizer step on a batch (x: [n, in] row-major, y: [n] values, labels or class
   * indices). Returns the batch loss computed before the update; when it is not finite the
   * update is skipped so the weights stay as they were.
   */
  trainStep(x: Float32Array, y: Float32Array, n: number): number
  /** mean loss over a set, without touching the weights */
  loss(x: Float32Array, y: Float32Array, n: number): number
  /** raw outputs [n, out] row-major */
  predict(x: Float32Array, n: number): Float32Array
  /** a copy: later steps do not change it */
  stateDict(): StateDict
  loadStateDict(sd: StateDict): void
  optimizerState(): OptimizerState
  /** the gradients of the last trainStep (before its update), named and shaped as the state_dict; for stepping views */
  lastGradients?(): StateDict
  dispose(): void
}
