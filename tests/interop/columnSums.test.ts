/**
 * A Linear layer's bias gradient is dL/dy summed over the batch. The dense engine adds it up in
 * the order torch 1.13's CPU sum does, so it equals torch's bit for bit for every batch size and
 * width (short rows, vectors, four-wide groups, the cascade past 64 rows) — and a balanced L1
 * batch sums to torch's exact 0, which a running sum misses by 2⁻²⁶. The Linear layer's backward
 * gives those bits on the WebAssembly kernels and on the plain loops alike: ColumnSums is the
 * only code that sums a bias gradient.
 */
import { describe, expect, it } from 'vitest'
import { ensureKernelsBuilt } from '../../scripts/buildKernels'
import { ColumnSums } from '../../src/shared/layers/columnSums'
import { PLAIN_DENSE_OPS, type DenseOps } from '../../src/shared/layers/denseOps'
import { linear } from '../../src/shared/layers/linear'
import { float32Stream } from '../helpers/float32Stream'
import { python } from '../helpers/python'

const ROWS = [1, 2, 3, 5, 7, 8, 9, 12, 16, 17, 31, 33, 64, 65, 100, 257, 4100]
const WIDTHS = [1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 32, 33, 40, 70]

/** torch's bias gradient: F.linear's backward for dL/dy = dy */
const SCRIPT = `
import torch
out = []
for c in INPUT:
    b = torch.zeros(c['m'], requires_grad=True)
    y = torch.nn.functional.linear(torch.zeros(c['n'], 2), torch.zeros(c['m'], 2), b)
    y.backward(torch.tensor(c['dy'], dtype=torch.float32).reshape(c['n'], c['m']))
    out.append(b.grad.tolist())
print(json.dumps(out))
`

await ensureKernelsBuilt()
const { createKernels, kernelOps } = await import('../../src/main/lab/engine/dense/kernels')

/** a Linear(k, m) layer's bias gradient from its backward pass over ops, started from garbage it must replace */
function layerBiasGrad(ops: DenseOps, k: number, dy: Float32Array, n: number, m: number): number[] {
  const layer = linear.dense({ kind: 'Linear', inFeatures: k, outFeatures: m }, k, () => 0.5, ops)
  const x = ops.alloc(n * k)
  const grad = ops.alloc(n * m)
  grad.set(dy)
  layer.grads[1].fill(123.5)
  layer.backward(x, ops.alloc(n * m), grad, n, null, true)
  return Array.from(layer.grads[1])
}

const runningSum = (dy: Float32Array, n: number, m: number): Float32Array => {
  const out = new Float32Array(m)
  for (let r = 0; r < n; r++) for (let c = 0; c < m; c++) out[c] += dy[r * m + c]
  return out
}

describe("a bias gradient in torch's order", () => {
  it(`equals torch's bit for bit on ${ROWS.length * WIDTHS.length} batch sizes × widths, where a running sum differs`, async () => {
    const next = float32Stream(7)
    // mixed magnitudes, so the order of additions shows in the last bits
    const cases = ROWS.flatMap((n) => WIDTHS.map((m) => ({ n, m, dy: Float32Array.from({ length: n * m }, () => next() * 10 ** Math.floor((next() + 1) * 2)) })))
    const torch = await python<number[][]>(
      SCRIPT,
      cases.map((c) => ({ ...c, dy: Array.from(c.dy) })),
    )
    const sums = new ColumnSums()
    const kernels = createKernels().kernels
    expect(kernels.backend).toBe('wasm')
    const onKernels = kernelOps(kernels)
    let runningDiffers = 0
    cases.forEach(({ n, m, dy }, k) => {
      const out = new Float32Array(m)
      sums.sum(dy, n, m, out)
      expect(Array.from(out), `${n} rows × ${m}`).toEqual(torch[k])
      if (runningSum(dy, n, m).some((v, i) => v !== torch[k][i])) runningDiffers++
      // a layer of 2 inputs runs its products in JavaScript, one of 8 on the kernels (sizeChoice.ts)
      for (const inputs of [2, 8]) {
        const mark = kernels.memory.mark()
        expect(layerBiasGrad(onKernels, inputs, dy, n, m), `Linear(${inputs}, ${m}) on the kernels, ${n} rows`).toEqual(torch[k])
        kernels.memory.release(mark)
        expect(layerBiasGrad(PLAIN_DENSE_OPS, inputs, dy, n, m), `Linear(${inputs}, ${m}) on plain loops, ${n} rows`).toEqual(torch[k])
      }
    })
    // the test has teeth: the order is visible in most of these cases
    expect(runningDiffers).toBeGreaterThan(cases.length / 2)
  })

  it('sums a balanced L1 batch (six +1/12, six −1/12) to exactly 0, as torch does', async () => {
    const signs = [1, -1, 1, -1, 1, 1, -1, 1, 1, -1, -1, -1]
    const dy = Float32Array.from(signs, (s) => s / 12)
    const torch = await python<number[]>(SCRIPT, [{ n: 12, m: 1, dy: Array.from(dy) }])
    const out = new Float32Array(1)
    new ColumnSums().sum(dy, 12, 1, out)
    expect(Array.from(out)).toEqual(torch[0])
    expect(out[0]).toBe(0)
    expect(runningSum(dy, 12, 1)[0]).toBe(-(2 ** -26))
  })
})
