/**
 * nn.Linear over fewer than four inputs (the course's Linear(1, 1) among them), which the dense
 * engine runs in JavaScript: its forward pass, dx and dW against torch 1.13's own, bit for bit.
 */
import { describe, expect, it } from 'vitest'
import { createRng } from '../../src/main/lab/data/rng'
import { createKernels, kernelOps } from '../../src/main/lab/engine/dense/kernels'
import { narrowProduct } from '../../src/main/lab/engine/dense/kernels/sizeChoice'
import { python } from '../helpers/python'

const bits = (a: ArrayLike<number>) => Array.from(Float32Array.from(a), (v) => new Uint32Array(Float32Array.of(v).buffer)[0])

describe('products over fewer inputs than a SIMD vector', () => {
  it("equal torch's forward pass, dx and dW bit for bit (its BLAS's fused multiply-add chains), on 1–70 rows, 1–3 inputs, 1–70 outputs", async () => {
    const rng = createRng(21)
    const value = (scale: number) => Math.fround((rng() * 2 - 1) * scale)
    const shapes = [[2, 1, 1], [5, 1, 1], [32, 1, 1], [1, 3, 5], [33, 2, 4], [7, 3, 9], ...Array.from({ length: 60 }, () => [1 + Math.floor(rng() * 70), 1 + Math.floor(rng() * 3), 1 + Math.floor(rng() * 70)])]
    // gradients and inputs of every scale, so a sum's rounding order shows in its bits
    const cases = shapes.map(([n, k, m]) => ({
      n,
      k,
      m,
      x: Array.from({ length: n * k }, () => value(100)),
      w: Array.from({ length: m * k }, () => value(1)),
      b: Array.from({ length: m }, () => value(10)),
      dy: Array.from({ length: n * m }, () => value(1e4)),
    }))
    const torch = await python<{ y: number[]; dx: number[]; dw: number[] }[]>(
      `
import torch
torch.set_num_threads(1)
out = []
for c in INPUT:
    lin = torch.nn.Linear(c['k'], c['m'])
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(c['w']).reshape(c['m'], c['k']))
        lin.bias.copy_(torch.tensor(c['b']))
    x = torch.tensor(c['x']).reshape(c['n'], c['k']).requires_grad_()
    y = lin(x)
    y.backward(torch.tensor(c['dy']).reshape(c['n'], c['m']))
    out.append({'y': y.reshape(-1).tolist(), 'dx': x.grad.reshape(-1).tolist(), 'dw': lin.weight.grad.reshape(-1).tolist()})
print(json.dumps(out))
`,
      cases,
    )
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
