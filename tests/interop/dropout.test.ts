/** nn.Dropout's behaviour: the mask rate, the 1/(1−p) scaling, eval mode, and the gradient through the same mask. */
import { describe, expect, it } from 'vitest'
import { createRng, STREAM } from '../../src/main/lab/data/rng'
import { dropout } from '../../src/shared/layers/dropout'
import { python } from '../helpers/python'

const rows = 400
const width = 50
const count = rows * width

function run(p: number, training: boolean) {
  const layer = dropout.dense({ kind: 'Dropout', p }, width, createRng(7, STREAM.dropout))
  const x = Float32Array.from({ length: count }, (_, i) => 1 + (i % 7) / 10)
  const y = new Float32Array(count)
  layer.forward(x, y, rows, training)
  const dy = Float32Array.from({ length: count }, () => 1)
  const dx = new Float32Array(count)
  layer.backward(x, y, dy, rows, dx, training)
  return { x, y, dx }
}

describe('Dropout', () => {
  it("zeroes a fraction p and scales the rest by torch's float32 1/(1−p), in training", async () => {
    const p = 0.2
    const { x, y, dx } = run(p, true)
    const zeroed = y.filter((v) => v === 0).length / count
    // 20,000 draws: the rate lies within 4 standard deviations of p
    expect(Math.abs(zeroed - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / count))
    const torchScale = await python<number>(`import torch\nprint(json.dumps(torch.nn.Dropout(p=INPUT)(torch.ones(10000)).max().item()))`, p)
    y.forEach((v, i) => {
      if (v !== 0) expect(v).toBe(Math.fround(x[i] * torchScale))
    })
    // the gradient flows through the kept values only, with the same scale
    dx.forEach((g, i) => expect(g).toBe(y[i] === 0 ? 0 : torchScale))
  })

  it('passes values through unchanged in eval mode and with p = 0', () => {
    for (const [p, training] of [[0.5, false], [0, true]] as const) {
      const { x, y, dx } = run(p, training)
      expect(Array.from(y)).toEqual(Array.from(x))
      expect(dx.every((g) => g === 1)).toBe(true)
    }
  })

  it('zeroes everything with p = 1, as torch does, without dividing by zero', () => {
    const { y, dx } = run(1, true)
    expect(y.every((v) => v === 0) && dx.every((g) => g === 0)).toBe(true)
  })
})
