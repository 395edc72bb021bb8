/**
 * The kernels as the DenseOps a layer's runtime takes: arrays come from the kernels' memory,
 * and a product finds the buffers behind the arrays it is given (an array from anywhere else
 * is refused by checked(), naming the call). Products over fewer inputs than a SIMD vector
 * run as the same scalar loops in JavaScript (sizeChoice.ts), with no call and no lookup.
 */
import { linearForward } from '../../../../../shared/layers/denseOps'
import type { DenseOps } from '../../../../../shared/layers/denseOps'
import type { DenseKernels } from './contract'
import { narrowBackwardInput, narrowBackwardParams } from './narrowProducts'
import { narrowProduct } from './sizeChoice'

export function kernelOps(kernels: DenseKernels): DenseOps {
  const memory = kernels.memory
  return {
    alloc: (length) => memory.alloc(length).array,
    linearForward(x, w, b, y, n, k, m) {
      if (narrowProduct(k)) linearForward(x, w, b, y, n, k, m)
      else kernels.linearForward(memory.blockOf(x)!, memory.blockOf(w)!, memory.blockOf(b)!, memory.blockOf(y)!, n, k, m)
    },
    linearBackwardInput(dy, w, dx, n, k, m) {
      if (narrowProduct(k)) narrowBackwardInput(dy, w, dx, n, k, m)
      else kernels.linearBackwardInput(memory.blockOf(dy)!, memory.blockOf(w)!, memory.blockOf(dx)!, n, k, m)
    },
    linearBackwardParams(dy, x, dw, db, n, k, m) {
      if (narrowProduct(k)) narrowBackwardParams(dy, x, dw, db, n, k, m)
      else kernels.linearBackwardParams(memory.blockOf(dy)!, memory.blockOf(x)!, memory.blockOf(dw)!, memory.blockOf(db)!, n, k, m, false)
    },
  }
}
