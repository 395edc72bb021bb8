/**
 * The dense kernels in plain JavaScript: the engine's path where WebAssembly SIMD is missing,
 * and the definition the SIMD kernels are tested against. Products in torch's BLAS order
 * (blasOrder.ts), updates the rules of ../updateRules.ts.
 */
import { adamUpdate, rmspropUpdate, sgdUpdate } from '../updateRules'
import { blasForward, blasInputGradient, blasWeightGradient } from './blasOrder'
import type { DenseKernels } from './contract'
import type { KernelMemory } from './memory'

/** unchecked: createKernels wraps them in checked() */
export function referenceKernels(memory: KernelMemory): DenseKernels {
  return {
    backend: 'js',
    memory,

    linearForward(x, w, b, y, n, k, m) {
      blasForward(x.array, w.array, b.array, y.array, n, k, m)
    },

    linearBackwardInput(dy, w, dx, n, k, m) {
      blasInputGradient(dy.array, w.array, dx.array, n, k, m)
    },

    linearBackwardWeight(dy, x, dw, n, k, m, accumulate) {
      blasWeightGradient(dy.array, x.array, dw.array, n, k, m, accumulate)
    },

    sgd(spec, scalars, p, g, buf, fresh) {
      sgdUpdate(spec, scalars, p.array, g.array, buf?.array ?? null, fresh)
    },

    adam(spec, scalars, p, g, m, v, vMax) {
      adamUpdate(spec, scalars, p.array, g.array, m.array, v.array, vMax?.array ?? null)
    },

    rmsprop(spec, scalars, p, g, sq, ga, buf) {
      rmspropUpdate(spec, scalars, p.array, g.array, sq.array, ga?.array ?? null, buf?.array ?? null)
    },
  }
}
