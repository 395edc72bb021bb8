/**
 * nn.GELU and nn.Tanh on the dense engine against torch 1.13's float32 kernels. GELU above one
 * element is oneDNN's jit gelu_erf (forward and backward), matched op for op; a one-element tensor
 * is ATen's scalar kernel. Tanh's backward is tanh_backward's dy·(1 − y·y) with the product fused.
 */
import { describe, expect, it } from 'vitest'
import { activationPoints, denseActivation as dense, differences, NONE } from './activationHarness'
import { torchActivation } from './torchReference'

const EXTREMES = [0, -0, 1e-8, -1e-8, 1e-30, 9, -9, 13.5, -13.5, 15, -15, 100, -100, 3e38, -3e38]
const points = () => activationPoints(23, 6, EXTREMES)

describe('GELU and Tanh', () => {
  it("GELU equals torch's oneDNN kernels bit for bit, forward and backward, on 4015 points, and a one-element tensor ATen's scalar kernel", async () => {
    const { x, dy } = points()
    const torch = await torchActivation('torch.nn.functional.gelu(v)', x, dy, {})
    const ours = dense({ kind: 'GELU' }, x, dy)
    // measured 2026-11-29: 0 everywhere (one-element tensors 40 and 40 with erf in double; 2727 and more
    // when GELU was computed in double and rounded once)
    expect(differences(ours, torch)).toEqual(NONE)
  }, 60_000)

  it("Tanh equals torch's Sleef tanhf forward and its tanh_backward bit for bit on 4015 points, in a whole tensor and in one-element ones", async () => {
    const { x, dy } = points()
    const torch = await torchActivation('torch.tanh(v)', x, dy, {})
    const ours = dense({ kind: 'Tanh' }, x, dy)
    // torch.tanh is a vml op: Sleef's tanhf on every value, the tail and a one-element tensor too.
    // measured 2026-11-29: 0 everywhere (Math.tanh rounded once: 6 forward, 3 backward, on both paths;
    // 3134 backward with 1 − y·y rounded before the product)
    expect(differences(ours, torch)).toEqual(NONE)
  }, 60_000)
})
