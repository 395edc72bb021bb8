/**
 * An nn.Sequential over the dense kernels: each layer's runtime comes from its own module,
 * given the kernels as its DenseOps (WebAssembly SIMD products, arrays in the kernels'
 * memory), and the network chains them forward and backward over reused buffers in that
 * memory, sized once for the largest batch, so a step allocates nothing. The dense engine
 * trains one; `lab predict` runs one.
 */
import { moduleOf } from '../../../../shared/layers'
import type { DenseRuntime } from '../../../../shared/layers/layer'
import { placeLayers, stateDictShapes, type StateDictEntry } from '../../../../shared/modelSpec'
import type { ModelSpec } from '../../../../shared/schemas'
import { createRng, STREAM } from '../../data/rng'
import { namedTensor, type StateDict } from '../../model/stateDict'
import { createKernels, kernelOps, type DenseKernels } from './kernels'

export class DenseNetwork {
  private readonly runtimes: DenseRuntime[]
  private readonly widths: number[]
  private readonly entries: StateDictEntry[]
  /** the arrays behind the state_dict entries, in the same order */
  private readonly targets: (Float32Array | Float64Array)[]
  /** in model.parameters() order */
  readonly params: Float32Array[]
  readonly grads: Float32Array[]
  /** the state_dict's entries over the network's own arrays: views, changed by every step */
  readonly weights: StateDict
  training = true
  private readonly inFeatures: number
  /** where the batch-sized buffers start and end in the kernels' memory */
  private batchStart = 0
  private batchEnd = -1
  private capacity = 0
  /** the batch, copied into the kernels' memory */
  private input: Float32Array = new Float32Array(0)
  /** each layer's output [batch, width] and dLoss/dOutput */
  private outs: Float32Array[] = []
  private douts: Float32Array[] = []

  /** seed: Dropout's masks */
  constructor(
    model: ModelSpec,
    initial: StateDict,
    seed: number,
    readonly kernels: DenseKernels = createKernels().kernels,
  ) {
    const placed = placeLayers(model)
    const rng = createRng(seed, STREAM.dropout)
    const ops = kernelOps(kernels)
    this.runtimes = placed.map(({ layer, inFeatures }) => moduleOf(layer).dense(layer, inFeatures, rng, ops))
    this.inFeatures = model.inFeatures
    this.widths = placed.map((p) => p.outFeatures)
    this.entries = stateDictShapes(model)
    this.targets = this.runtimes.flatMap((r) => [...r.params, ...r.buffers])
    this.params = this.runtimes.flatMap((r) => r.params)
    this.grads = this.runtimes.flatMap((r) => r.grads)
    this.weights = this.entries.map((e, i) => namedTensor(e, this.targets[i]))
    this.load(initial)
  }

  /** frees the batch buffers when they are the memory's last (its allocator frees from the top only; the optimizer's state comes after the parameters) */
  private freeBatchBuffers(): void {
    const memory = this.kernels.memory
    if (memory.mark() === this.batchEnd) memory.release(this.batchStart)
  }

  reserve(n: number): void {
    if (n <= this.capacity) return
    this.capacity = n
    const memory = this.kernels.memory
    this.freeBatchBuffers()
    this.batchStart = memory.mark()
    this.input = memory.alloc(n * this.inFeatures).array
    this.outs = this.layerBuffers(n)
    this.douts = this.layerBuffers(n)
    this.batchEnd = memory.mark()
  }

  /**
   * built by push, not map: reserve() can run inside the optimised forward() of a warm thread, and an
   * inlined map makes a list of another elements kind than the builtin does, so the next run's
   * lists would not fit the code optimised for the last run's
   */
  private layerBuffers(n: number): Float32Array[] {
    const buffers: Float32Array[] = []
    for (const width of this.widths) buffers.push(this.kernels.memory.alloc(n * width).array)
    return buffers
  }

  /** the last layer's outputs [n, out]: a view into a reused buffer */
  forward(x: Float32Array, n: number): Float32Array {
    this.reserve(n)
    const size = n * this.inFeatures
    this.input.set(x.length === size ? x : x.subarray(0, size))
    let input = this.input
    for (let i = 0; i < this.runtimes.length; i++) {
      this.runtimes[i].forward(input, this.outs[i], n, this.training)
      input = this.outs[i]
    }
    return input
  }

  /** where the loss writes dLoss/dOutput before backward() */
  get outputGrad(): Float32Array {
    return this.douts[this.douts.length - 1]
  }

  /** from outputGrad back to every parameter's gradient, for the batch forward() last saw */
  backward(n: number): void {
    for (let i = this.runtimes.length - 1; i >= 0; i--) {
      const input = i === 0 ? this.input : this.outs[i - 1]
      this.runtimes[i].backward(input, this.outs[i], this.douts[i], n, i === 0 ? null : this.douts[i - 1], this.training)
    }
  }

  /** built by push, as layerBuffers() is: the loop keeps one as its restore point and refills it every epoch, in code optimised for the last run's */
  stateDict(): StateDict {
    const sd: StateDict = []
    for (let i = 0; i < this.entries.length; i++) sd.push(namedTensor(this.entries[i], this.targets[i].slice()))
    return sd
  }

  /** the model's outputs from the last forward() of n rows, a copy */
  outputs(n: number, outFeatures: number): Float32Array {
    return this.outs[this.outs.length - 1].slice(0, n * outFeatures)
  }

  /** each parameter's gradient from the last backward(), named as its parameter (buffers have none) */
  gradients(): StateDict {
    const parameters = this.entries.filter((e) => !e.buffer)
    return parameters.map((e, i) => ({ name: e.name, shape: e.shape, data: this.grads[i].slice() }))
  }

  load(sd: StateDict): void {
    const byName = new Map(sd.map((t) => [t.name, t.data]))
    this.entries.forEach((e, i) => {
      const data = byName.get(e.name)
      if (data) this.targets[i].set(data)
    })
  }

  release(): void {
    this.freeBatchBuffers()
    // emptied in place, not replaced by new lists: a field that once held another kind of list
    // would invalidate the code optimised for every network's fields
    this.input = this.input.subarray(0, 0)
    this.outs.length = 0
    this.douts.length = 0
    this.capacity = 0
  }
}
