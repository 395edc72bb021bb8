/**
 * The dense kernels in plain JavaScript: the definition of what every kernel computes (the
 * SIMD kernels are tested against these) and the engine's path where WebAssembly SIMD is
 * missing. Products are the Linear layer's own loops (shared/layers/denseOps.ts), updates follow torch 1.13's _single_tensor_* functions.
 */
import { addLinearParamGrads, linearBackwardInput, linearForward } from '../../../../../shared/layers/denseOps'
import { adamScalars, type DenseKernels } from './contract'
import type { KernelMemory } from './memory'

/** unchecked: createKernels wraps them in checked() */
export function referenceKernels(memory: KernelMemory): DenseKernels {
  return {
    backend: 'js',
    memory,

    linearForward(x, w, b, y, n, k, m) {
      linearForward(x.array, w.array, b.array, y.array, n, k, m)
    },

    linearBackwardInput(dy, w, dx, n, k, m) {
      linearBackwardInput(dy.array, w.array, dx.array, n, k, m)
    },

    linearBackwardParams(dy, x, dw, db, n, k, m, accumulate) {
      if (!accumulate) {
        dw.array.fill(0, 0, m * k)
        db.array.fill(0, 0, m)
      }
      addLinearParamGrads(dy.array, x.array, dw.array, db.array, n, k, m)
    },

    sgd(s, pb, gb, bufb, fresh) {
      const n = pb.length
      const p = pb.array, g = gb.array
      const wd = s.weightDecay
      if (s.momentum === 0) {
        for (let j = 0; j < n; j++) p[j] = p[j] - s.lr * (g[j] + wd * p[j])
        return
      }
      const buf = bufb!.array
      for (let j = 0; j < n; j++) {
        const d = Math.fround(g[j] + wd * p[j])
        buf[j] = fresh ? d : buf[j] * s.momentum + (1 - s.dampening) * d
        const step = s.nesterov ? Math.fround(d + s.momentum * buf[j]) : buf[j]
        p[j] = p[j] - s.lr * step
      }
    },

    adam(s, step, pb, gb, mb, vb) {
      const n = pb.length
      const p = pb.array, g = gb.array, m = mb.array, v = vb.array
      const [b1, b2] = s.betas
      const { stepSize, bc2Sqrt, decay } = adamScalars(s, step)
      const decoupled = s.name === 'AdamW'
      for (let j = 0; j < n; j++) {
        if (decoupled) p[j] = p[j] * decay
        const gj = decoupled ? g[j] : Math.fround(g[j] + s.weightDecay * p[j])
        m[j] = m[j] * b1 + (1 - b1) * gj
        v[j] = v[j] * b2 + (1 - b2) * gj * gj
        const denom = Math.fround(Math.fround(Math.sqrt(v[j]) / bc2Sqrt) + s.eps)
        p[j] = p[j] - stepSize * Math.fround(m[j] / denom)
      }
    },

    rmsprop(s, pb, gb, sqb, gab, bufb) {
      const n = pb.length
      const p = pb.array, g = gb.array, sq = sqb.array
      const ga = s.centered ? gab!.array : null
      const buf = s.momentum > 0 ? bufb!.array : null
      for (let j = 0; j < n; j++) {
        const gj = Math.fround(g[j] + s.weightDecay * p[j])
        sq[j] = sq[j] * s.alpha + (1 - s.alpha) * gj * gj
        let avg: number
        if (ga) {
          ga[j] = ga[j] * s.alpha + (1 - s.alpha) * gj
          avg = Math.fround(Math.fround(Math.sqrt(Math.fround(sq[j] - ga[j] * ga[j]))) + s.eps)
        } else {
          avg = Math.fround(Math.fround(Math.sqrt(sq[j])) + s.eps)
        }
        if (buf) {
          buf[j] = buf[j] * s.momentum + gj / avg
          p[j] = p[j] - s.lr * buf[j]
        } else {
          p[j] = p[j] - s.lr * Math.fround(gj / avg)
        }
      }
    },
  }
}
