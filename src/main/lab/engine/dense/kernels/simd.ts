/**
 * The dense kernels as WebAssembly SIMD (kernels.wat): the same contract as reference.ts, to the
 * bit. A product is one product_run call per run of blasOrder.productRuns (a column's rows the
 * kernel sums alike).
 */
import { blasForward, blasInputGradient, blasWeightGradient, productRuns } from './blasOrder'
import type { DenseKernels } from './contract'
import type { KernelMemory } from './memory'
import { webAssembly } from './wasmApi'

interface KernelExports {
  fuse(): number
  transpose(src: number, dst: number, rows: number, cols: number): void
  product_run(a: number, aStep: number, b: number, bStep: number, c: number, depth: number, from: number, to: number, split: number, beta: number): void
  sgd(p: number, g: number, n: number, negLr: number, wd: number): void
  sgd_momentum(p: number, g: number, buf: number, n: number, negLr: number, wd: number, momentum: number, keep: number, fresh: number, nesterov: number): void
  adam(p: number, g: number, m: number, v: number, vmax: number, n: number, beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number, negStepSize: number, bc2Sqrt: number, eps: number, wd: number, decay: number, decoupled: number, amsgrad: number): void
  rmsprop(p: number, g: number, sq: number, ga: number, buf: number, n: number, alpha: number, oneMinusAlpha: number, eps: number, negLr: number, momentum: number, wd: number, centered: number, withMomentum: number): void
}

/**
 * kernels over `memory`, from the compiled kernels.wat (throws if it does not instantiate), on the
 * hardware's fused multiply-add where `fused` and it fuses (else the updates fuse exactly in double
 * lanes and the products run in JavaScript); unchecked: createKernels wraps them in checked()
 */
export function simdKernels(memory: KernelMemory, module: object, fused: boolean): DenseKernels {
  const wasm = new webAssembly.Instance(module, { env: { memory: memory.memory } }).exports as unknown as KernelExports
  // the products' chains need the fused multiply-add in hardware; without it they run in JavaScript
  const fusedProducts = fused && wasm.fuse() === 1
  return {
    backend: 'wasm',
    memory,

    linearForward(x, w, b, y, n, k, m) {
      if (!fusedProducts) return blasForward(x.array, w.array, b.array, y.array, n, k, m)
      // BLAS's C holds the bias first (addmm's beta 1)
      const bias = b.array.subarray(0, m)
      for (let r = 0; r < n; r++) y.array.set(bias, r * m)
      // the operand whose rows lie along C's columns, transposed into scratch for this call
      if (m === 1) {
        // one output: torch's own M = rows, N = 1, every element one chain; the rows side by side
        const rows = memory.scratch(n * k)
        wasm.transpose(x.ptr, rows, n, k)
        wasm.product_run(rows, n * 4, w.ptr, 4, y.ptr, k, 0, n, 0, 1)
        return
      }
      const outputs = memory.scratch(m * k)
      wasm.transpose(w.ptr, outputs, m, k)
      const runs = productRuns(m, n)
      for (let i = 0; i < runs.length; i += 4) wasm.product_run(outputs, m * 4, x.ptr + runs[i] * k * 4, 4, y.ptr + runs[i] * m * 4, k, runs[i + 1], runs[i + 2], runs[i + 3], 1)
    },

    linearBackwardInput(dy, w, dx, n, k, m) {
      if (!fusedProducts) return blasInputGradient(dy.array, w.array, dx.array, n, k, m)
      const runs = productRuns(k, n)
      for (let i = 0; i < runs.length; i += 4) wasm.product_run(w.ptr, k * 4, dy.ptr + runs[i] * m * 4, 4, dx.ptr + runs[i] * k * 4, m, runs[i + 1], runs[i + 2], runs[i + 3], 0)
    },

    linearBackwardWeight(dy, x, dw, n, k, m, accumulate) {
      if (!fusedProducts) return blasWeightGradient(dy.array, x.array, dw.array, n, k, m, accumulate)
      const runs = productRuns(k, m)
      for (let i = 0; i < runs.length; i += 4) wasm.product_run(x.ptr, k * 4, dy.ptr + runs[i] * 4, m * 4, dw.ptr + runs[i] * k * 4, n, runs[i + 1], runs[i + 2], runs[i + 3], accumulate ? 1 : 0)
    },

    sgd(spec, s, p, g, buf, fresh) {
      if (spec.momentum === 0) {
        wasm.sgd(p.ptr, g.ptr, p.length, s.negLr, s.weightDecay)
        return
      }
      wasm.sgd_momentum(p.ptr, g.ptr, buf!.ptr, p.length, s.negLr, s.weightDecay, s.momentum, s.keep, fresh ? 1 : 0, spec.nesterov ? 1 : 0)
    },

    adam(spec, s, p, g, m, v, vMax) {
      const decoupled = spec.name === 'AdamW' ? 1 : 0
      wasm.adam(p.ptr, g.ptr, m.ptr, v.ptr, vMax?.ptr ?? 0, p.length, s.beta1, s.beta2, s.oneMinusBeta1, s.oneMinusBeta2, s.negStepSize, s.bc2Sqrt, s.eps, s.weightDecay, s.decay, decoupled, spec.amsgrad ? 1 : 0)
    },

    rmsprop(spec, s, p, g, sq, ga, buf) {
      wasm.rmsprop(p.ptr, g.ptr, sq.ptr, ga?.ptr ?? 0, buf?.ptr ?? 0, p.length, s.alpha, s.oneMinusAlpha, s.eps, s.negLr, s.momentum, s.weightDecay, spec.centered ? 1 : 0, spec.momentum > 0 ? 1 : 0)
    },
  }
}
