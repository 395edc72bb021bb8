/**
 * nn.ELU on the dense engine against torch 1.13's float32 kernels: the forward pass
 * (exp(x) − 1)·alpha and elu_backward's dy·alpha·exp(x) where x ≤ 0, each op rounded to float32.
 * torch's scalar path (a tensor's last numel mod 16 values) takes glibc's expf, its vector loop
 * Sleef's, which is not correctly rounded everywhere: there TorchLab may differ, by an ulp.
 */
import { describe, expect, it } from 'vitest'
import { createRng, STREAM } from '../../src/main/lab/data/rng'
import { activation } from '../../src/shared/layers/activation'
import { float32Stream } from '../helpers/float32Stream'
import { torchActivation } from './torchReference'

const N = 4000

describe('ELU', () => {
  it.each([1, 0.5])("alpha %s: the forward pass equals torch's scalar path everywhere and its vector loop but where Sleef's expf rounds otherwise; the backward nearly everywhere (4000 points in [−6, 6])", async (alpha) => {
    const next = float32Stream(12)
    const x = Float32Array.from({ length: N }, () => Math.fround(next() * 6))
    const dy = Float32Array.from({ length: N }, () => Math.fround(next() * 1.5))
    const torch = await torchActivation("torch.nn.functional.elu(v, A['alpha'])", x, dy, { alpha })
    const layer = activation.dense({ kind: 'ELU', alpha }, 1, createRng(0, STREAM.init))
    const y = new Float32Array(N)
    layer.forward(x, y, N, true)
    const dx = new Float32Array(N)
    layer.backward(x, y, dy, N, dx, true)
    const differ = (a: ArrayLike<number>, b: number[]) => b.filter((v, i) => a[i] !== v).length
    // measured: 0 and 33 (254 and 258 when expm1 was rounded once); the backward 3 and 186 (1565 and 1509 from dy·(y + alpha))
    expect(differ(y, torch.scalar)).toBe(0)
    expect(differ(y, torch.vector)).toBeLessThan(60)
    expect(differ(dx, torch.scalarDx)).toBeLessThan(10)
    expect(differ(dx, torch.dx)).toBeLessThan(250)
  }, 60_000)
})
