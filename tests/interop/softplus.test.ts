/**
 * nn.Softplus on the dense engine against torch 1.13's float32 kernels: log1p(exp(x·beta)) / beta
 * and softplus_backward's dy·z / (z + 1), z = exp(x·beta), each op rounded to float32, x itself
 * above the threshold; Sleef's expf and log1pf in torch's vector loop, glibc's in its scalar tail
 * (a tensor's last numel mod 16 values, a one-element tensor).
 */
import { describe, expect, it } from 'vitest'
import { activationPoints, denseActivation, differences, NONE } from './activationHarness'
import { torchActivation } from './torchReference'

// the last 15 of the 4015 values, which torch's scalar tail takes
const EXTREMES = [0, 1e-8, -1e-8, -1e-30, 0.5, -3, 9, -16.5, 19.9, 20.1, 44, -88, -104, 100, -3e38]

describe('Softplus', () => {
  // measured 2026-11-29: 0 everywhere; before, with exp and log1p rounded once, forward 157/289, 63/211,
  // 199/216 and backward 3/227, 0/185, 1/147 off the tail / the vector loop
  it.each([
    { beta: 1, threshold: 20 },
    { beta: 2, threshold: 3 },
    { beta: 0.5, threshold: 1 },
    { beta: 0.25, threshold: 50 },
  ])("beta $beta, threshold $threshold: forward and backward bit for bit with torch on 4015 points in [−6, 6] and beyond, in a whole tensor and in one-element ones", async ({ beta, threshold }) => {
    const { x, dy } = activationPoints(12, 6, EXTREMES)
    const torch = await torchActivation("torch.nn.functional.softplus(v, A['beta'], A['threshold'])", x, dy, { beta, threshold })
    const ours = denseActivation({ kind: 'Softplus', beta, threshold }, x, dy)
    expect(differences(ours, torch)).toEqual(NONE)
  }, 60_000)
})
