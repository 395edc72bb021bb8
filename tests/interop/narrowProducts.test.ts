/**
 * nn.Linear over fewer than four inputs (the course's Linear(1, 1) among them), which the dense
 * engine runs in JavaScript: its forward pass, dx and dW against torch 1.13's own, bit for bit.
 */
import { describe, expect, it } from 'vitest'
import { createRng } from '../../src/main/lab/data/rng'
import { createKernels, kernelOps } from '../../src/main/lab/engine/dense/kernels'
import { narrowProduct } from '../../src/main/lab/engine/dense/kernels/sizeChoice'
import { linearCases, torchLinear } from './torchReference'

const bits = (a: ArrayLike<number>) => Array.from(Float32Array.from(a), (v) => new Uint32Array(Float32Array.of(v).buffer)[0])

describe('products over fewer inputs than a SIMD vector', () => {
  it("equal torch's forward pass, dx and dW bit for bit (its BLAS's fused multiply-add chains), on 1–70 rows, 1–3 inputs, 1–70 outputs", async () => {
    const rng = createRng(21)
    const value = (scale: number) => Math.fround((rng() * 2 - 1) * scale)
    const shapes = [[2, 1, 1], [5, 1, 1], [32, 1, 1], [1, 3, 5], [33, 2, 4], [7, 3, 9], ...Array.from({ length: 60 }, () => [1 + Math.floor(rng() * 70), 1 + Math.floor(rng() * 3), 1 + Math.floor(rng() * 70)])]
    const cases = linearCases(shapes, value)
    const torch = await torchLinear(cases)
    const { kernels } = createKernels()
    const ops = kernelOps(kernels)
    const differ = cases.flatMap(({ n, k, m, x, w, b, dy }, i) => {
      expect(narrowProduct(k)).toBe(true)
      const alloc = (v: number[] | number) => {
        const a = ops.alloc(typeof v === 'number' ? v : v.length)
        if (typeof v !== 'number') a.set(v)
        return a
      }
      const [X, W, B, DY, y, dx, dw] = [alloc(x), alloc(w), alloc(b), alloc(dy), alloc(n * m), alloc(n * k), alloc(m * k)]
      ops.linearForward(X, W, B, y, n, k, m)
      ops.linearBackwardInput(DY, W, dx, n, k, m)
      ops.linearBackwardWeight(DY, X, dw, n, k, m)
      const where = `n=${n} k=${k} m=${m}`
      return [
        ...(bits(y).join() === bits(torch[i].y).join() ? [] : [`${where} y`]),
        ...(bits(dx).join() === bits(torch[i].dx).join() ? [] : [`${where} dx`]),
        ...(bits(dw).join() === bits(torch[i].dw).join() ? [] : [`${where} dW`]),
      ]
    })
    expect(differ).toEqual([])
  })
})
