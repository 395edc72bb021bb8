/**
 * What one kind of layer is to the lab, in one module per kind (micrograd's way: the forward
 * pass and its backward side by side): its arguments, its tensors with PyTorch's names, its
 * initialisation as torch does it, its forward and backward passes for the dense engine, its
 * PyTorch code, and how its tensors are recognised in a file. Pure: no Node, no DOM; random
 * numbers come in as a function.
 */
import type { ArgSpec } from '../catalog/args'
import type { DenseOps } from './denseOps'

export type Rng = () => number

export interface TensorShape {
  /** relative to the layer: weight, bias, running_mean, … */
  name: string
  shape: number[]
  dtype: 'float32' | 'int64'
  /** a buffer (running statistics), not a parameter the optimizer updates */
  buffer: boolean
}

/** A layer in the dense engine: rows are row-major Float32Arrays [n, width]. */
export interface DenseRuntime {
  /** in the order of the layer's tensors: parameters, then buffers */
  readonly params: Float32Array[]
  readonly grads: Float32Array[]
  /** float32, or float64 for an int64 count (exact to 2^53, as float32 is only to 2^24) */
  readonly buffers: (Float32Array | Float64Array)[]
  forward(x: Float32Array, y: Float32Array, n: number, training: boolean): void
  /** from dL/dy: sets the parameters' gradients, and dL/dx unless dx is null (the first layer) */
  backward(x: Float32Array, y: Float32Array, dy: Float32Array, n: number, dx: Float32Array | null, training: boolean): void
}

/** one layer found in a file: the layer and the width it takes */
export interface Recognised<L> {
  layer: L
  inFeatures: number
}

export interface LayerModule<L> {
  readonly args: readonly ArgSpec[]
  /** how positional arguments in `--layers` text map to keys, given how many there are */
  positional(count: number): readonly string[]
  /** one line for the window */
  readonly blurb: string
  /** the layer with every width written in, checked against the width it receives */
  resolve(layer: L, inFeatures: number, outputs: number, index: number): L
  /** the width this (resolved) layer gives */
  outFeatures(layer: L, inFeatures: number): number
  tensors(layer: L, inFeatures: number): TensorShape[]
  /** initial values of tensors(), as torch initialises them */
  init(layer: L, inFeatures: number, rng: Rng): Float32Array[]
  /**
   * How the layer computes in eval mode (model.eval(): what Evaluate and predict run) unlike in
   * training, as a phrase ("Dropout is off"), or null when both modes compute the same.
   */
  evalMode(layer: L): string | null
  /** the PyTorch module, e.g. nn.Linear(10, 16) */
  code(layer: L, inFeatures: number): string
  /** ops: the engine's arrays and products (plain loops when left out) */
  dense(layer: L, inFeatures: number, rng: Rng, ops?: DenseOps): DenseRuntime
  /** the layer whose tensors these are (relative name -> shape), or null */
  recognise(tensors: ReadonlyMap<string, readonly number[]>): Recognised<L> | null
}
