/**
 * What the training loop needs from an engine. The loop never knows which engine runs; any
 * engine is exact to PyTorch's formulas for the layers, losses and optimizers of a ModelSpec.
 */
import type { BackendInfo } from '../../../shared/api'
import { lossSpecOf, type LossSpec } from '../../../shared/catalog/losses'
import type { ModelSpec, OptimizerSpec, TrainConfig } from '../../../shared/schemas'
import type { StateDict } from '../model/stateDict'

/**
 * An optimizer's state in torch.optim's terms: the step count and, per parameter (in
 * model.parameters() order, buffers excluded), tensors under torch's names (momentum_buffer,
 * exp_avg, exp_avg_sq, square_avg, grad_avg, sum), each shaped like its parameter.
 */
export interface OptimizerState {
  step: number
  buffers: Record<string, Float32Array>[]
}

export interface EngineConfig {
  model: ModelSpec
  loss: LossSpec
  optimizer: OptimizerSpec
  /** parameters and buffers, in state_dict order */
  initial: StateDict
  /** to continue a run saved in a checkpoint */
  optimizerState?: OptimizerState
  /** seeds Dropout's masks */
  seed: number
}

/**
 * Every engine's config is built here, with the same keys in the same order (optimizerState too,
 * when there is none): a training thread warmed up on one config shape throws its optimised code
 * away at the first step of a run whose config has another (warmUp.ts)
 */
export function engineConfig(model: ModelSpec, train: TrainConfig, initial: StateDict, optimizerState: OptimizerState | undefined): EngineConfig {
  return { model, loss: lossSpecOf(train), optimizer: train.optimizer, initial, optimizerState, seed: train.seed }
}

export interface Engine {
  readonly info: BackendInfo
  /** as nn.Module.train(): Dropout drops, BatchNorm1d normalises with the batch and updates its running statistics */
  train(): void
  /** as nn.Module.eval(): Dropout passes values through, BatchNorm1d uses its running statistics */
  eval(): void
  /**
   * One optimizer step on a batch (x: [n, in] row-major, y: [n] values, labels or class
   * indices), in the current mode. Returns the batch loss computed before the update; when it
   * is not finite the update is skipped so the weights stay as they were.
   */
  trainStep(x: Float32Array, y: Float32Array, n: number): number
  /**
   * Sizes what the steps need for batches of up to `rows`, before the first: a step that finds
   * its buffers too small takes a branch a warm thread's optimised code has never seen.
   */
  reserve?(rows: number): void
  /** mean loss over a set in the current mode, without updating parameters */
  loss(x: Float32Array, y: Float32Array, n: number): number
  /** raw outputs [n, out] row-major, in the current mode */
  predict(x: Float32Array, n: number): Float32Array
  /** parameters and buffers, a copy: later steps do not change it */
  stateDict(): StateDict
  /**
   * Parameters and buffers as they are now, for a look between steps: views of the engine's own
   * arrays where it keeps them in memory it can show (the dense engine), else a copy. A view
   * changes with the next step; whoever keeps one copies it. The loop looks every epoch, and a
   * copy every epoch was most of what a small run allocated.
   */
  weights(): StateDict
  loadStateDict(sd: StateDict): void
  optimizerState(): OptimizerState
  /** the gradients of the last trainStep (before its update), named and shaped as the state_dict; for stepping views */
  lastGradients?(): StateDict
  /**
   * the outputs [n, out] of the last trainStep's forward pass, before its update; for stepping
   * views, which must not run a forward pass of their own in training mode (it would draw Dropout
   * masks and move BatchNorm1d's running statistics a second time)
   */
  lastOutputs?(n: number): Float32Array
  dispose(): void
}
