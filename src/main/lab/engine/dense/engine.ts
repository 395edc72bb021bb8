/**
 * The dense engine: nn.Linear stacks with hand-written forward and backward passes over
 * Float32Arrays. Classroom models are small, so a step's cost is overhead; here a step
 * allocates nothing — every buffer is sized once for the largest batch — and the matrix
 * loops walk both operands along contiguous rows (weights kept [out, in], as torch keeps them).
 */
import type { BackendInfo } from '../../../../shared/api'
import { denseLayers, type DenseLayer } from '../../../../shared/modelSpec'
import type { StateDict } from '../../model/stateDict'
import type { Engine, EngineConfig, OptimizerState } from '../engine'
import { lossAndGrad } from './losses'
import { activate, activationGrad } from './math'
import { DenseOptimizer } from './optimizers'

/**
 * Σ a[ao + j] · b[bo + j] in float32 arithmetic — each product and each sum rounded as torch's
 * CPU kernels round them — so predictions agree with torch's to the last bit on small layers.
 */
function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, k: number): number {
  let s = 0
  for (let j = 0; j < k; j++) s = Math.fround(s + Math.fround(a[ao + j] * b[bo + j]))
  return s
}

/** y[yo + j] += g · x[xo + j] */
function axpy(g: number, x: Float32Array, xo: number, y: Float32Array, yo: number, k: number): void {
  let j = 0
  for (; j + 3 < k; j += 4) {
    y[yo + j] += g * x[xo + j]
    y[yo + j + 1] += g * x[xo + j + 1]
    y[yo + j + 2] += g * x[xo + j + 2]
    y[yo + j + 3] += g * x[xo + j + 3]
  }
  for (; j < k; j++) y[yo + j] += g * x[xo + j]
}

const INFO: BackendInfo = { engine: 'dense', backend: 'js', unavailable: [] }

interface LayerBuffers {
  /** pre-activation [batch, out] */
  z: Float32Array
  /** output after the activation (z itself for the last layer) */
  a: Float32Array
  /** gradient with respect to this layer's output */
  grad: Float32Array
}

export class DenseEngine implements Engine {
  readonly info = INFO
  private readonly layers: DenseLayer[]
  private readonly weights: Float32Array[]
  private readonly biases: Float32Array[]
  private readonly gradW: Float32Array[]
  private readonly gradB: Float32Array[]
  /** parameters and their gradients in state_dict order, built once: a step allocates nothing */
  private readonly paramList: Float32Array[]
  private readonly gradList: Float32Array[]
  private readonly optimizer: DenseOptimizer
  private readonly names: string[]
  private capacity = 0
  private buffers: LayerBuffers[] = []

  constructor(private readonly config: EngineConfig) {
    this.layers = denseLayers(config.model)
    const byName = new Map(config.initial.map((t) => [t.name, t.data]))
    this.weights = this.layers.map((l) => Float32Array.from(byName.get(l.weight)!))
    this.biases = this.layers.map((l) => Float32Array.from(byName.get(l.bias)!))
    this.gradW = this.weights.map((w) => new Float32Array(w.length))
    this.gradB = this.biases.map((b) => new Float32Array(b.length))
    this.names = this.layers.flatMap((l) => [l.weight, l.bias])
    this.paramList = this.layers.flatMap((_, i) => [this.weights[i], this.biases[i]])
    this.gradList = this.layers.flatMap((_, i) => [this.gradW[i], this.gradB[i]])
    this.optimizer = new DenseOptimizer(config.optimizer, this.paramList.map((p) => p.length), config.optimizerState)
  }

  private ensure(n: number): void {
    if (n <= this.capacity) return
    this.capacity = n
    this.buffers = this.layers.map((l) => {
      const z = new Float32Array(n * l.outFeatures)
      return { z, a: l.activation ? new Float32Array(n * l.outFeatures) : z, grad: new Float32Array(n * l.outFeatures) }
    })
  }

  /** forward pass; returns the last layer's outputs [n, out] (a view into a reused buffer) */
  private forward(x: Float32Array, n: number): Float32Array {
    this.ensure(n)
    let input = x
    this.layers.forEach((layer, li) => {
      const { inFeatures: k, outFeatures: m } = layer
      const w = this.weights[li]
      const b = this.biases[li]
      const { z, a } = this.buffers[li]
      for (let r = 0; r < n; r++) {
        const xo = r * k
        const zo = r * m
        for (let o = 0; o < m; o++) {
          z[zo + o] = Math.fround(dot(input, xo, w, o * k, k) + b[o])
        }
      }
      if (layer.activation) activate(layer.activation, z, a, n * m)
      input = a
    })
    return input
  }

  private backward(x: Float32Array, n: number): void {
    for (let li = this.layers.length - 1; li >= 0; li--) {
      const { inFeatures: k, outFeatures: m, activation } = this.layers[li]
      const { z, a, grad } = this.buffers[li]
      if (activation) activationGrad(activation, z, a, grad, n * m)
      const input = li === 0 ? x : this.buffers[li - 1].a
      const gw = this.gradW[li]
      const gb = this.gradB[li]
      gw.fill(0)
      gb.fill(0)
      for (let r = 0; r < n; r++) {
        const go = r * m
        const xo = r * k
        for (let o = 0; o < m; o++) {
          const g = grad[go + o]
          if (g === 0) continue
          gb[o] += g
          axpy(g, input, xo, gw, o * k, k)
        }
      }
      if (li === 0) continue
      // gradient for the layer below: grad_in[r, j] = Σ_o grad[r, o] · W[o, j]
      const below = this.buffers[li - 1].grad
      const w = this.weights[li]
      below.fill(0, 0, n * k)
      for (let r = 0; r < n; r++) {
        const go = r * m
        const bo = r * k
        for (let o = 0; o < m; o++) {
          const g = grad[go + o]
          if (g === 0) continue
          axpy(g, w, o * k, below, bo, k)
        }
      }
    }
  }

  trainStep(x: Float32Array, y: Float32Array, n: number): number {
    const out = this.forward(x, n)
    const last = this.buffers[this.buffers.length - 1]
    const width = this.config.model.outFeatures
    const loss = lossAndGrad(this.config.loss, out, y, n, width, this.config.huberDelta, last.grad)
    if (!Number.isFinite(loss)) return loss
    this.backward(x, n)
    this.optimizer.apply(this.paramList, this.gradList)
    return loss
  }

  loss(x: Float32Array, y: Float32Array, n: number): number {
    const out = this.forward(x, n)
    return lossAndGrad(this.config.loss, out, y, n, this.config.model.outFeatures, this.config.huberDelta, null)
  }

  predict(x: Float32Array, n: number): Float32Array {
    return this.forward(x, n).slice(0, n * this.config.model.outFeatures)
  }

  stateDict(): StateDict {
    return this.layers.flatMap((l, i) => [
      { name: l.weight, shape: [l.outFeatures, l.inFeatures], data: this.weights[i].slice() },
      { name: l.bias, shape: [l.outFeatures], data: this.biases[i].slice() },
    ])
  }

  loadStateDict(sd: StateDict): void {
    for (const t of sd) {
      const i = this.names.indexOf(t.name)
      if (i >= 0) this.paramList[i].set(t.data)
    }
  }

  optimizerState(): OptimizerState {
    return this.optimizer.state()
  }

  lastGradients(): StateDict {
    return this.stateDict().map((t, i) => ({ ...t, data: this.gradList[i].slice() }))
  }

  dispose(): void {
    this.buffers = []
    this.capacity = 0
  }
}
