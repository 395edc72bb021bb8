/**
 * nn.ELU on the dense engine against torch 1.13's float32 kernels: (exp(x) − 1)·alpha and
 * elu_backward's dy·alpha·exp(x) where x ≤ 0, each op rounded to float32, Sleef's expf in torch's
 * vector loop and glibc's in its scalar tail (a tensor's last numel mod 16 values, a one-element
 * tensor).
 */
import { describe, expect, it } from 'vitest'
import { activationPoints, denseActivation, differences, NONE } from './activationHarness'
import { torchActivation } from './torchReference'

// the last 15 of the 4015 values, which torch's scalar tail takes
const EXTREMES = [0, 1e-8, -1e-8, -1e-30, -0.5, -3, -9, -16.5, -88, -89, -104, -110, 5, 100, -3e38]

describe('ELU', () => {
  it.each([1, 0.5, 0])("alpha %s: forward and backward bit for bit with torch on 4015 points in [−6, 6] and beyond, in a whole tensor and in one-element ones", async (alpha) => {
    const { x, dy } = activationPoints(12, 6, EXTREMES)
    const torch = await torchActivation("torch.nn.functional.elu(v, A['alpha'])", x, dy, { alpha })
    const ours = denseActivation({ kind: 'ELU', alpha }, x, dy)
    // measured 2026-11-29: 0 everywhere (with exp rounded once on both paths: forward 0 and 33 off the
    // tail and the vectors, backward 3 and 186; expm1 rounded once 254/258, dy·(y + alpha) 1565/1509)
    expect(differences(ours, torch)).toEqual(NONE)
  }, 60_000)
})
