/**
 * The dense engine: a DenseNetwork over the dense kernels (WebAssembly SIMD where the runtime
 * has it, plain JavaScript loops otherwise), PyTorch's losses, and torch.optim's update rules
 * as optimizerChoice.ts places them; its backend names what ran (backendName.ts). Classroom
 * models are small, so a step's cost is overhead; a step allocates nothing.
 */
import type { BackendInfo } from '../../../../shared/api'
import type { StateDict } from '../../model/stateDict'
import type { Engine, EngineConfig, OptimizerState } from '../engine'
import { denseBackendName } from './backendName'
import { createKernels, type KernelChoice } from './kernels'
import { TorchLoss } from './losses'
import { DenseNetwork } from './network'
import { chooseOptimizer, type ParameterUpdates } from './optimizerChoice'

export class DenseEngine implements Engine {
  readonly info: BackendInfo
  private readonly network: DenseNetwork
  private readonly optimizer: ParameterUpdates
  private readonly lossFunction: TorchLoss

  constructor(
    private readonly config: EngineConfig,
    { kernels, unavailable }: KernelChoice = createKernels(),
  ) {
    this.network = new DenseNetwork(config.model, config.initial, config.seed, kernels)
    this.lossFunction = new TorchLoss(config.loss)
    this.optimizer = chooseOptimizer(config.optimizer, kernels, this.network.params, this.network.grads, config.optimizerState)
    this.info = { engine: 'dense', backend: denseBackendName(kernels, config.model, this.optimizer), unavailable }
  }

  train(): void {
    this.network.training = true
  }

  eval(): void {
    this.network.training = false
  }

  trainStep(x: Float32Array, y: Float32Array, n: number): number {
    const out = this.network.forward(x, n)
    const loss = this.lossFunction.compute(out, y, n, this.config.model.outFeatures, this.network.outputGrad)
    if (!Number.isFinite(loss)) return loss
    this.network.backward(n)
    this.optimizer.apply()
    return loss
  }

  reserve(rows: number): void {
    this.network.reserve(rows)
    this.lossFunction.reserve(rows, this.config.model.outFeatures)
  }

  loss(x: Float32Array, y: Float32Array, n: number): number {
    return this.lossFunction.compute(this.network.forward(x, n), y, n, this.config.model.outFeatures, null)
  }

  predict(x: Float32Array, n: number): Float32Array {
    return this.network.forward(x, n).slice(0, n * this.config.model.outFeatures)
  }

  stateDict(): StateDict {
    return this.network.stateDict()
  }

  weights(): StateDict {
    return this.network.weights
  }

  loadStateDict(sd: StateDict): void {
    this.network.load(sd)
  }

  optimizerState(): OptimizerState {
    return this.optimizer.state()
  }

  lastGradients(): StateDict {
    return this.network.gradients()
  }

  lastOutputs(n: number): Float32Array {
    return this.network.outputs(n, this.config.model.outFeatures)
  }

  dispose(): void {
    this.network.release()
  }
}
