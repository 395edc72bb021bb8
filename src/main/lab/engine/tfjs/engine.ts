/**
 * The Engine on tfjs, for the layers it declares (support.ts): weights kept in PyTorch's
 * layout ([out, in]) so state_dicts move as they are. None of its layers depends on the mode,
 * so train() and eval() change nothing here.
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendInfo } from '../../../../shared/api'
import { labError } from '../../../../shared/errors'
import { placeLayers } from '../../../../shared/modelSpec'
import type { StateDict } from '../../model/stateDict'
import type { Engine, EngineConfig } from '../engine'
import { selectBackend, type BackendPreference } from './backend'
import { activate, lossOf } from './functions'
import { createOptimizer, type TfOptimizer } from './optimizers'
import { isTfjsLayer, tfjsRefusal, type TfjsLayer } from './support'

class TfjsEngine implements Engine {
  private readonly layers: { prefix: string; layer: TfjsLayer }[]
  private readonly params: tf.Variable[]
  private readonly byName: Map<string, tf.Variable>
  private readonly names: string[]
  private readonly optimizer: TfOptimizer
  private readonly inFeatures: number

  constructor(
    readonly info: BackendInfo,
    private readonly config: EngineConfig,
  ) {
    this.layers = placeLayers(config.model).flatMap(({ prefix, layer }) => (isTfjsLayer(layer) ? [{ prefix, layer }] : []))
    this.inFeatures = config.model.inFeatures
    this.names = config.initial.map((t) => t.name)
    this.params = config.initial.map((t) => tf.variable(tf.tensor(t.data, t.shape, 'float32'), true))
    this.byName = new Map(this.names.map((name, i) => [name, this.params[i]]))
    this.optimizer = createOptimizer(config.optimizer, config.initial.map((t) => t.shape), config.optimizerState)
  }

  train(): void {}

  eval(): void {}

  private forward(x: tf.Tensor2D): tf.Tensor2D {
    let h = x
    for (const { prefix, layer } of this.layers) {
      if (layer.kind === 'Linear') h = tf.add(tf.matMul(h, this.byName.get(`${prefix}.weight`) as tf.Tensor2D, false, true), this.byName.get(`${prefix}.bias`)!)
      else h = activate(h, layer)
    }
    return h
  }

  private lossTensor(x: Float32Array, y: Float32Array, n: number): tf.Scalar {
    const xs = tf.tensor2d(x, [n, this.inFeatures])
    const ys = tf.tensor1d(y)
    return lossOf(this.config.loss, this.forward(xs), ys)
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

  /** tfjs keeps its weights in tensors: a look is a copy */
  weights(): StateDict {
    return this.stateDict()
  }

  loadStateDict(sd: StateDict): void {
    sd.forEach((t) => {
      const v = this.byName.get(t.name)
      if (v) tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')))
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
  const refusal = tfjsRefusal(config.model)
  if (refusal) throw labError('INVALID_ARGUMENT', refusal)
  const info = await selectBackend(backend)
  return new TfjsEngine(info, config)
}
