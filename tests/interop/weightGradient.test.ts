/**
 * nn.Linear's weight gradient in torch 1.13's BLAS order (blasOrder.ts: OpenBLAS 0.3.21's Haswell
 * sgemm on one thread, its K blocks of 320 rows, its M blocks of 320 inputs, its column chunks and
 * the 8-row tiles it sums as two chains), on the SIMD kernels and the JavaScript ones, bit for bit
 * against torch's own backward pass: batches across the 8-row runs and the 320-row blocks, layers
 * across the 4- and 12-column chunks and past 320 inputs.
 */
import { describe, expect, it } from 'vitest'
import { createRng } from '../../src/main/lab/data/rng'
import { createKernels, kernelOps } from '../../src/main/lab/engine/dense/kernels'
import { linearCases, torchLinear } from './torchReference'

const bits = (a: ArrayLike<number>) => Array.from(Float32Array.from(a), (v) => new Uint32Array(Float32Array.of(v).buffer)[0])

/** OpenBLAS runs on one thread up to this many multiply-adds (beyond, its threads move the tiles) */
const ONE_THREAD = 262_144

describe("the weight gradient in torch's BLAS order", () => {
  it('equals torch’s dW bit for bit on both kernels: 1–700 rows, 1–650 inputs, 1–30 outputs', async () => {
    const rng = createRng(9)
    const value = (scale: number) => Math.fround((rng() * 2 - 1) * scale)
    const shapes: number[][] = []
    for (const n of [1, 7, 8, 9, 16, 17, 33, 321, 700]) {
      for (const k of [1, 3, 4, 8, 9, 17, 24, 33, 57]) for (const m of [1, 3, 4, 5, 8, 12, 13, 17, 24]) if (n * k * m <= ONE_THREAD) shapes.push([n, k, m])
    }
    // past GEMM_P's 320 inputs: two or three blocks of M
    shapes.push([3, 700, 5], [20, 650, 13], [9, 333, 30], [2, 641, 12])
    const cases = linearCases(shapes, value)
    const torch = await torchLinear(cases)
    const differ: string[] = []
    for (const simd of [true, false]) {
      const { kernels } = createKernels({ simd })
      const ops = kernelOps(kernels)
      cases.forEach(({ n, k, m, x, dy }, i) => {
        const mark = kernels.memory.mark()
        const [X, DY, dw] = [ops.alloc(n * k), ops.alloc(n * m), ops.alloc(m * k)]
        X.set(x)
        DY.set(dy)
        ops.linearBackwardWeight(DY, X, dw, n, k, m)
        if (bits(dw).join() !== bits(torch[i].dw).join()) differ.push(`${kernels.backend} n=${n} k=${k} m=${m}`)
        kernels.memory.release(mark)
      })
    }
    expect(cases.length).toBeGreaterThan(500)
    expect(differ).toEqual([])
  }, 300_000)
})
