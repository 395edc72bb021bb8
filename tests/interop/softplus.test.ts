/**
 * nn.Softplus on the dense engine against torch 1.13's float32 kernels: log1p(exp(x·beta)) / beta
 * and softplus_backward's dy·z / (z + 1), z = exp(x·beta), each op rounded to float32, x itself
 * above the threshold. The backward equals torch's scalar path but at a few points; the forward
 * still differs where glibc's log1pf is not log1p rounded once, and torch's vector loop takes
 * Sleef's functions.
 */
import { describe, expect, it } from 'vitest'
import { createRng, STREAM } from '../../src/main/lab/data/rng'
import { activation } from '../../src/shared/layers/activation'
import { float32Stream } from '../helpers/float32Stream'
import { torchActivation } from './torchReference'

const N = 4000

describe('Softplus', () => {
  // measured 2026-11-29 (before: forward 674/727, 586/619, 596/568; backward 1438/1448, 1064/1069, 1023/1039)
  it.each([
    { beta: 1, threshold: 20, forward: [157, 289], backward: [3, 227] },
    { beta: 2, threshold: 3, forward: [63, 211], backward: [0, 185] },
    { beta: 0.5, threshold: 1, forward: [199, 216], backward: [1, 147] },
  ])("beta $beta, threshold $threshold: the backward equals torch's scalar path but at a few of 4000 points in [−6, 6]; the forward mostly", async ({ beta, threshold, forward, backward }) => {
    const next = float32Stream(12)
    const x = Float32Array.from({ length: N }, () => Math.fround(next() * 6))
    const dy = Float32Array.from({ length: N }, () => Math.fround(next() * 1.5))
    const torch = await torchActivation("torch.nn.functional.softplus(v, A['beta'], A['threshold'])", x, dy, { beta, threshold })
    const layer = activation.dense({ kind: 'Softplus', beta, threshold }, 1, createRng(0, STREAM.init))
    const y = new Float32Array(N)
    layer.forward(x, y, N, true)
    const dx = new Float32Array(N)
    layer.backward(x, y, dy, N, dx, true)
    const differ = (a: ArrayLike<number>, b: number[]) => b.filter((v, i) => a[i] !== v).length
    expect(differ(y, torch.scalar)).toBeLessThanOrEqual(forward[0] + 20)
    expect(differ(y, torch.vector)).toBeLessThanOrEqual(forward[1] + 20)
    expect(differ(dx, torch.scalarDx)).toBeLessThanOrEqual(backward[0] + 5)
    expect(differ(dx, torch.dx)).toBeLessThanOrEqual(backward[1] + 20)
  }, 60_000)
})
