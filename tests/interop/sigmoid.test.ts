/**
 * nn.Sigmoid on the dense engine against torch 1.13's float32 kernels: the forward pass
 * 1 / (1 + exp(−x)) and sigmoid_backward's dy·(1 − y)·y, each op rounded to float32. torch's
 * scalar path (a tensor's last numel mod 16 values) uses glibc's expf, its vector loop Sleef's
 * expf, which is not correctly rounded everywhere: there alone TorchLab may differ, by an ulp.
 */
import { describe, expect, it } from 'vitest'
import { createRng, STREAM } from '../../src/main/lab/data/rng'
import { activation } from '../../src/shared/layers/activation'
import { float32Stream } from '../helpers/float32Stream'
import { python } from '../helpers/python'

const N = 4000

describe('Sigmoid', () => {
  it("equals torch's float32 forward (its scalar path everywhere, its Sleef vector loop but where Sleef's expf rounds otherwise) and backward bit for bit, on 4000 points in [−12, 12]", async () => {
    const next = float32Stream(12)
    const x = Float32Array.from({ length: N }, () => Math.fround(next() * 12))
    const dy = Float32Array.from({ length: N }, () => Math.fround(next() * 1.5))
    const torch = await python<{ vector: number[]; scalar: number[]; dx: number[] }>(
      `
import torch
torch.set_num_threads(1)
x = torch.tensor(INPUT['x'], dtype=torch.float32)
vector = torch.sigmoid(x)
scalar = torch.cat([torch.sigmoid(v.reshape(1)) for v in x])
dx = torch.ops.aten.sigmoid_backward(torch.tensor(INPUT['dy'], dtype=torch.float32), vector)
print(json.dumps({'vector': vector.tolist(), 'scalar': scalar.tolist(), 'dx': dx.tolist()}))
`,
      { x: Array.from(x), dy: Array.from(dy) },
    )
    const layer = activation.dense({ kind: 'Sigmoid' }, 1, createRng(0, STREAM.init))
    const y = new Float32Array(N)
    layer.forward(x, y, N, true)
    const dx = new Float32Array(N)
    // torch's backward takes its own forward's outputs: the same y here
    layer.backward(x, Float32Array.from(torch.vector), dy, N, dx, true)
    const differ = (a: ArrayLike<number>, b: number[]) => b.filter((v, i) => a[i] !== v).length
    expect(differ(y, torch.scalar)).toBe(0)
    expect(differ(dx, torch.dx)).toBe(0)
    // measured: 149 of 4000, each where Sleef's expf and the correctly rounded one part
    expect(differ(y, torch.vector)).toBeLessThan(200)
  })
})
