/**
 * What the activation tests share: 4015 float32 points (torch's vector loop takes the first 4000,
 * its scalar tail the last 15), and an activation layer of the dense engine run on the whole
 * tensor and on each value as a tensor of its own, as torchActivation runs torch.
 */
import { createRng, STREAM } from '../../src/main/lab/data/rng'
import { activation } from '../../src/shared/layers/activation'
import type { ActivationLayer } from '../../src/shared/catalog/activations'
import { float32Stream } from '../helpers/float32Stream'

const N = 4000

/** N points uniform in [−scale, scale] then `extremes` (15 of them), and a gradient for each */
export function activationPoints(seed: number, scale: number, extremes: readonly number[]): { x: Float32Array; dy: Float32Array } {
  const next = float32Stream(seed)
  const x = Float32Array.from([...Array.from({ length: N }, () => next() * scale), ...extremes], Math.fround)
  const dy = Float32Array.from({ length: x.length }, () => Math.fround(next() * 1.5))
  return { x, dy }
}

/** the layer on the whole tensor, and on each value as a tensor of its own */
export function denseActivation(layer: ActivationLayer, x: Float32Array, dy: Float32Array) {
  const module = activation.dense(layer, 1, createRng(0, STREAM.init))
  const y = new Float32Array(x.length)
  const dx = new Float32Array(x.length)
  module.forward(x, y, x.length, true)
  module.backward(x, y, dy, x.length, dx, true)
  const yAlone = new Float32Array(x.length)
  const dxAlone = new Float32Array(x.length)
  for (let i = 0; i < x.length; i++) {
    module.forward(x.subarray(i, i + 1), yAlone.subarray(i, i + 1), 1, true)
    module.backward(x.subarray(i, i + 1), yAlone.subarray(i, i + 1), dy.subarray(i, i + 1), 1, dxAlone.subarray(i, i + 1), true)
  }
  return { y, dx, yAlone, dxAlone }
}

/** how many values differ from torch's (a zero of either sign equal to the other: JSON drops −0's sign) */
export const differ = (ours: ArrayLike<number>, torch: number[]): number => torch.filter((v, i) => !Object.is(ours[i] === 0 ? 0 : ours[i], v === 0 ? 0 : v)).length

/** how many values differ from torch's on each path: the whole tensor's forward and backward, and one-element tensors' */
export function differences(ours: ReturnType<typeof denseActivation>, torch: { vector: number[]; dx: number[]; scalar: number[]; scalarDx: number[] }) {
  return { forward: differ(ours.y, torch.vector), backward: differ(ours.dx, torch.dx), forwardAlone: differ(ours.yAlone, torch.scalar), backwardAlone: differ(ours.dxAlone, torch.scalarDx) }
}

export const NONE = { forward: 0, backward: 0, forwardAlone: 0, backwardAlone: 0 }
