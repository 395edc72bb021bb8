/**
 * The dense engine: a DenseNetwork, PyTorch's losses and torch.optim's update rules, all in
 * plain loops over Float32Arrays. Classroom models are small, so a step's cost is overhead;
 * a step allocates nothing.
 */
import type { BackendInfo } from '../../../../shared/api'
import type { StateDict } from '../../model/stateDict'
import type { Engine, EngineConfig, OptimizerState } from '../engine'
import { lossAndGrad } from './losses'
import { DenseNetwork } from './network'
import { DenseOptimizer } from './optimizers'

const INFO: BackendInfo = { engine: 'dense', backend: 'js', unavailable: [] }

export class DenseEngine implements Engine {
  readonly info = INFO
  private readonly network: DenseNetwork
  private readonly optimizer: DenseOptimizer

  constructor(private readonly config: EngineConfig) {
    this.network = new DenseNetwork(config.model, config.initial, config.seed)
    this.optimizer = new DenseOptimizer(config.optimizer, this.network.params.map((p) => p.length), config.optimizerState)
  }

  train(): void {
    this.network.training = true
  }

  eval(): void {
    this.network.training = false
  }

  trainStep(x: Float32Array, y: Float32Array, n: number): number {
    const out = this.network.forward(x, n)
    const loss = lossAndGrad(this.config.loss, out, y, n, this.config.model.outFeatures, this.network.outputGrad)
    if (!Number.isFinite(loss)) return loss
    this.network.backward(x, n)
    this.optimizer.apply(this.network.params, this.network.grads)
    return loss
  }

  loss(x: Float32Array, y: Float32Array, n: number): number {
    return lossAndGrad(this.config.loss, this.network.forward(x, n), y, n, this.config.model.outFeatures, null)
  }

  predict(x: Float32Array, n: number): Float32Array {
    return this.network.forward(x, n).slice(0, n * this.config.model.outFeatures)
  }

  stateDict(): StateDict {
    return this.network.stateDict()
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

  dispose(): void {
    this.network.release()
  }
}
