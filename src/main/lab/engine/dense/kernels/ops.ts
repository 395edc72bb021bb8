/**
 * The kernels as the DenseOps a layer's runtime takes: arrays come from the kernels' memory,
 * and a product finds the buffers behind the arrays it is given (an array from anywhere else
 * is refused by checked(), naming the call). Products over fewer inputs than a SIMD vector
 * run in JavaScript in the same order (blasOrder.ts, sizeChoice.ts), with no call and no lookup.
 */
import type { DenseOps } from '../../../../../shared/layers/denseOps'
import { blasForward, blasInputGradient, blasWeightGradient } from './blasOrder'
import type { DenseKernels } from './contract'
import { narrowProduct } from './sizeChoice'

/** a class, not an object of closures: one call target for every engine's layers */
class KernelOps implements DenseOps {
  constructor(private readonly kernels: DenseKernels) {}

  alloc(length: number): Float32Array {
    return this.kernels.memory.alloc(length).array
  }

  linearForward(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, n: number, k: number, m: number): void {
    if (narrowProduct(k)) return blasForward(x, w, b, y, n, k, m)
    const memory = this.kernels.memory
    this.kernels.linearForward(memory.blockOf(x)!, memory.blockOf(w)!, memory.blockOf(b)!, memory.blockOf(y)!, n, k, m)
  }

  linearBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, n: number, k: number, m: number): void {
    if (narrowProduct(k)) return blasInputGradient(dy, w, dx, n, k, m)
    const memory = this.kernels.memory
    this.kernels.linearBackwardInput(memory.blockOf(dy)!, memory.blockOf(w)!, memory.blockOf(dx)!, n, k, m)
  }

  linearBackwardWeight(dy: Float32Array, x: Float32Array, dw: Float32Array, n: number, k: number, m: number): void {
    if (narrowProduct(k)) return blasWeightGradient(dy, x, dw, n, k, m, false)
    const memory = this.kernels.memory
    this.kernels.linearBackwardWeight(memory.blockOf(dy)!, memory.blockOf(x)!, memory.blockOf(dw)!, n, k, m, false)
  }
}

export function kernelOps(kernels: DenseKernels): DenseOps {
  return new KernelOps(kernels)
}
