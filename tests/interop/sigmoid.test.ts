/**
 * nn.Sigmoid on the dense engine against torch 1.13's float32 kernels: 1 / (1 + exp(−x)) and
 * sigmoid_backward's dy·(1 − y)·y, each op rounded to float32. torch's vector loop takes Sleef's
 * expf, its scalar tail (a tensor's last numel mod 16 values, a one-element tensor) glibc's.
 */
import { describe, expect, it } from 'vitest'
import { activationPoints, denseActivation, differences, NONE } from './activationHarness'
import { torchActivation } from './torchReference'

// the last 15 of the 4015 values, which torch's scalar tail takes
const EXTREMES = [0, 1e-8, -1e-8, 1e-30, 9, -9, 16.5, -16.5, 88, -88, 89, -89, 104, -104, 3e38]

describe('Sigmoid', () => {
  it("equals torch's float32 forward and backward bit for bit on 4015 points in [−12, 12] and beyond, in a whole tensor and in one-element ones", async () => {
    const { x, dy } = activationPoints(12, 12, EXTREMES)
    const torch = await torchActivation('torch.sigmoid(v)', x, dy, {})
    const ours = denseActivation({ kind: 'Sigmoid' }, x, dy)
    // measured 2026-11-29: 0 everywhere (169 from the vector loop when Sleef's expf was exp rounded
    // once; 1510 and 1080 from the double formulas)
    expect(differences(ours, torch)).toEqual(NONE)
  }, 60_000)
})
