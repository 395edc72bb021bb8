/**
 * nn.Linear's three products in torch 1.13's BLAS order (blasOrder.ts: OpenBLAS 0.3.21's Haswell
 * sgemm on one thread, its K blocks of 320, its M blocks of 320, its column chunks and the 8-row
 * tiles it sums as two chains), on the SIMD kernels and the JavaScript ones, bit for bit against
 * torch's own forward and backward pass: batches across the 8-row runs, the 4- and 12-row chunks
 * and the 320-row blocks, layers across the same sizes in inputs and outputs and past 320.
 */
import { describe, expect, it } from 'vitest'
import { createRng } from '../../src/main/lab/data/rng'
import { createKernels, kernelOps } from '../../src/main/lab/engine/dense/kernels'
import { linearCases, torchLinear } from './torchReference'

const bits = (a: ArrayLike<number>) => Array.from(Float32Array.from(a), (v) => new Uint32Array(Float32Array.of(v).buffer)[0]).join()

/** OpenBLAS runs on one thread up to this many multiply-adds (beyond, its threads move the tiles) */
const ONE_THREAD = 262_144

describe("Linear's products in torch's BLAS order", () => {
  it('equal torch’s forward pass, dx and dW bit for bit on both kernels: 1–700 rows, 1–650 inputs, 1–30 outputs', async () => {
    const rng = createRng(9)
    const value = (scale: number) => Math.fround((rng() * 2 - 1) * scale)
    const shapes: number[][] = []
    for (const n of [1, 7, 8, 9, 16, 17, 33, 321, 700]) {
      for (const k of [1, 3, 4, 8, 9, 17, 24, 33, 57]) for (const m of [1, 3, 4, 5, 8, 12, 13, 17, 24]) if (n * k * m <= ONE_THREAD) shapes.push([n, k, m])
    }
    // past GEMM_P's 320 on each side, and past GEMM_Q's 320 in each product's depth
    shapes.push([3, 700, 5], [20, 650, 13], [9, 333, 30], [2, 641, 12], [4, 5, 700], [12, 9, 333], [330, 3, 30])
    const cases = linearCases(shapes, value)
    const torch = await torchLinear(cases)
    const differ: string[] = []
    for (const simd of [true, false]) {
      const { kernels } = createKernels({ simd })
      const ops = kernelOps(kernels)
      cases.forEach(({ n, k, m, x, w, b, dy }, i) => {
        const mark = kernels.memory.mark()
        const [X, W, B, DY] = [x, w, b, dy].map((v) => {
          const a = ops.alloc(v.length)
          a.set(v)
          return a
        })
        const [y, dx, dw] = [ops.alloc(n * m), ops.alloc(n * k), ops.alloc(m * k)]
        ops.linearForward(X, W, B, y, n, k, m)
        ops.linearBackwardInput(DY, W, dx, n, k, m)
        ops.linearBackwardWeight(DY, X, dw, n, k, m)
        for (const [what, ours, theirs] of [['y', y, torch[i].y], ['dx', dx, torch[i].dx], ['dW', dw, torch[i].dw]] as const) {
          if (bits(ours) !== bits(theirs)) differ.push(`${kernels.backend} n=${n} k=${k} m=${m} ${what}`)
        }
        kernels.memory.release(mark)
      })
    }
    expect(cases.length).toBeGreaterThan(700)
    expect(differ).toEqual([])
  }, 300_000)
})
