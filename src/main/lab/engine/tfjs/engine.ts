/** The Engine on tfjs: weights kept in PyTorch's layout ([out, in]) so state_dicts move as they are. */
import * as tf from '@tensorflow/tfjs'
import type { BackendInfo } from '../../../../shared/api'
import { denseLayers, type DenseLayer } from '../../../../shared/modelSpec'
import type { StateDict } from '../../model/stateDict'
import type { Engine, EngineConfig } from '../engine'
import { selectBackend, type BackendPreference } from './backend'
import { activate, lossOf } from './functions'
import { createOptimizer, type TfOptimizer } from './optimizers'

class TfjsEngine implements Engine {
  private readonly layers: DenseLayer[]
  private readonly params: tf.Variable[]
  private readonly names: string[]
  private readonly optimizer: TfOptimizer
  private readonly inFeatures: number

  constructor(
    readonly info: BackendInfo,
    private readonly config: EngineConfig,
  ) {
    this.layers = denseLayers(config.model)
    this.inFeatures = config.model.inFeatures
    this.names = config.initial.map((t) => t.name)
    this.params = config.initial.map((t) => tf.variable(tf.tensor(t.data, t.shape, 'float32'), true))
    this.optimizer = createOptimizer(config.optimizer, config.initial.map((t) => t.shape), config.optimizerState)
  }

  private forward(x: tf.Tensor2D): tf.Tensor2D {
    let h = x
    this.layers.forEach((layer, i) => {
      h = tf.add(tf.matMul(h, this.params[2 * i] as tf.Tensor2D, false, true), this.params[2 * i + 1])
      if (layer.activation) h = activate(h, layer.activation)
    })
    return h
  }

  private lossTensor(x: Float32Array, y: Float32Array, n: number): tf.Scalar {
    const xs = tf.tensor2d(x, [n, this.inFeatures])
    const ys = tf.tensor1d(y)
    return lossOf(this.config.loss, this.forward(xs), ys, this.config.huberDelta)
  }

  trainStep(x: Float32Array, y: Float32Array, n: number): number {
    let loss = NaN
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.lossTensor(x, y, n), this.params)
      loss = value.dataSync()[0]
      if (Number.isFinite(loss)) this.optimizer.apply(this.params, this.params.map((p) => grads[p.name]))
    })
    return loss
  }

  loss(x: Float32Array, y: Float32Array, n: number): number {
    return tf.tidy(() => this.lossTensor(x, y, n).dataSync()[0])
  }

  predict(x: Float32Array, n: number): Float32Array {
    return tf.tidy(() => this.forward(tf.tensor2d(x, [n, this.inFeatures])).dataSync() as Float32Array).slice()
  }

  stateDict(): StateDict {
    return this.params.map((p, i) => ({ name: this.names[i], shape: [...p.shape], data: Float32Array.from(p.dataSync()) }))
  }

  loadStateDict(sd: StateDict): void {
    sd.forEach((t) => {
      const i = this.names.indexOf(t.name)
      if (i >= 0) tf.tidy(() => this.params[i].assign(tf.tensor(t.data, t.shape, 'float32')))
    })
  }

  optimizerState() {
    return this.optimizer.exportState()
  }

  dispose(): void {
    this.params.forEach((p) => p.dispose())
    this.optimizer.dispose()
  }
}

export async function createTfjsEngine(config: EngineConfig, backend: BackendPreference = 'auto'): Promise<Engine> {
  const info = await selectBackend(backend)
  return new TfjsEngine(info, config)
}
