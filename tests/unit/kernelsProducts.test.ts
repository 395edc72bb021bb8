/**
 * The SIMD kernels' products against the JavaScript ones, bit for bit: both follow torch's BLAS
 * order (blasOrder.ts), which interop/linearProducts.test.ts holds to torch itself; this checks
 * the SIMD side's tails, strides and blocks on more and larger shapes than torch runs in a test:
 * 1–130 in each size, past 320 rows, inputs and outputs (OpenBLAS's blocks), padding reads at
 * buffer ends, dW added to what it held.
 */
import { describe, expect, it } from 'vitest'
import { ensureKernelsBuilt } from '../../scripts/buildKernels'
import { createRng } from '../../src/main/lab/data/rng'

await ensureKernelsBuilt()
const { createKernels } = await import('../../src/main/lab/engine/dense/kernels')

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)).join()

describe('SIMD products', () => {
  it('equal the JavaScript kernels bit for bit: forward pass, dx, dW fresh and added to', () => {
    const rng = createRng(23)
    const shapes: [number, number, number][] = [[1, 1, 1], [9, 4, 1], [700, 5, 3], [3, 650, 2], [2, 7, 641], [333, 33, 17], [32, 64, 64], [1, 130, 130]]
    for (let i = 0; i < 40; i++) shapes.push([0, 0, 0].map(() => 1 + Math.floor(rng() * 130)) as [number, number, number])
    const simd = createKernels().kernels
    const js = createKernels({ simd: false }).kernels
    expect(simd.backend).toBe('wasm')
    const differ: string[] = []
    for (const [n, k, m] of shapes) {
      const values = [n * k, m * k, m, n * m, m * k].map((length) => Float32Array.from({ length }, () => Math.fround((rng() * 2 - 1) * 10)))
      const results = [simd, js].map((kernels) => {
        const mark = kernels.memory.mark()
        const [x, w, b, dy, start] = values.map((v) => {
          const block = kernels.memory.alloc(v.length)
          block.array.set(v)
          return block
        })
        const [y, dx, dw] = [n * m, n * k, m * k].map((length) => kernels.memory.alloc(length))
        kernels.linearForward(x, w, b, y, n, k, m)
        kernels.linearBackwardInput(dy, w, dx, n, k, m)
        kernels.linearBackwardWeight(dy, x, dw, n, k, m, false)
        kernels.linearBackwardWeight(dy, x, start, n, k, m, true)
        const out = [y, dx, dw, start].map((block) => bits(block.array))
        kernels.memory.release(mark)
        return out
      })
      ;['y', 'dx', 'dW', 'dW added'].forEach((what, i) => {
        if (results[0][i] !== results[1][i]) differ.push(`n=${n} k=${k} m=${m} ${what}`)
      })
    }
    expect(differ).toEqual([])
  })
})
