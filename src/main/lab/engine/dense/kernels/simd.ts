/**
 * The dense kernels as WebAssembly SIMD (kernels.wat): the same contract as reference.ts, the
 * products to float32 rounding of another summation order, the updates to the bit.
 */
import { adamScalars, type DenseKernels } from './contract'
import type { KernelMemory } from './memory'
import { webAssembly } from './wasmApi'

interface KernelExports {
  linear_forward(x: number, w: number, b: number, y: number, n: number, k: number, m: number): void
  linear_backward_input(dy: number, w: number, dx: number, n: number, k: number, m: number): void
  linear_backward_params(dy: number, x: number, dw: number, db: number, n: number, k: number, m: number, accumulate: number): void
  sgd(p: number, g: number, n: number, lr: number, wd: number): void
  sgd_momentum(p: number, g: number, buf: number, n: number, lr: number, wd: number, momentum: number, undamped: number, fresh: number, nesterov: number): void
  adam(p: number, g: number, m: number, v: number, n: number, b1: number, ob1: number, b2: number, ob2: number, stepSize: number, bc2Sqrt: number, eps: number, wd: number, decay: number, decoupled: number): void
  rmsprop(p: number, g: number, sq: number, ga: number, buf: number, n: number, lr: number, alpha: number, oalpha: number, eps: number, wd: number, momentum: number, centered: number, withMomentum: number): void
}

/** kernels over `memory`, from the compiled kernels.wat (throws if it does not instantiate); unchecked: createKernels wraps them in checked() */
export function simdKernels(memory: KernelMemory, module: object): DenseKernels {
  const wasm = new webAssembly.Instance(module, { env: { memory: memory.memory } }).exports as unknown as KernelExports
  return {
    backend: 'wasm',
    memory,

    linearForward(x, w, b, y, n, k, m) {
      wasm.linear_forward(x.ptr, w.ptr, b.ptr, y.ptr, n, k, m)
    },

    linearBackwardInput(dy, w, dx, n, k, m) {
      wasm.linear_backward_input(dy.ptr, w.ptr, dx.ptr, n, k, m)
    },

    linearBackwardParams(dy, x, dw, db, n, k, m, accumulate) {
      wasm.linear_backward_params(dy.ptr, x.ptr, dw.ptr, db.ptr, n, k, m, accumulate ? 1 : 0)
    },

    sgd(s, p, g, buf, fresh) {
      const n = p.length
      if (s.momentum === 0) {
        wasm.sgd(p.ptr, g.ptr, n, s.lr, s.weightDecay)
        return
      }
      wasm.sgd_momentum(p.ptr, g.ptr, buf!.ptr, n, s.lr, s.weightDecay, s.momentum, 1 - s.dampening, fresh ? 1 : 0, s.nesterov ? 1 : 0)
    },

    adam(s, step, p, g, m, v) {
      const n = p.length
      const [b1, b2] = s.betas
      const { stepSize, bc2Sqrt, decay } = adamScalars(s, step)
      wasm.adam(p.ptr, g.ptr, m.ptr, v.ptr, n, b1, 1 - b1, b2, 1 - b2, stepSize, bc2Sqrt, s.eps, s.weightDecay, decay, s.name === 'AdamW' ? 1 : 0)
    },

    rmsprop(s, p, g, sq, ga, buf) {
      const n = p.length
      wasm.rmsprop(p.ptr, g.ptr, sq.ptr, ga?.ptr ?? 0, buf?.ptr ?? 0, n, s.lr, s.alpha, 1 - s.alpha, s.eps, s.weightDecay, s.momentum, s.centered ? 1 : 0, s.momentum > 0 ? 1 : 0)
    },
  }
}
