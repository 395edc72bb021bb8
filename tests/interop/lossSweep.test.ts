/**
 * Every loss TorchLab accepts, value and gradient, against torch 1.13's float32 CPU kernels bit for
 * bit: batches of 1 to 70 rows (every length of the 8-float vectors' and the 16-value loops' tails),
 * CrossEntropyLoss over 2 to 12 classes (rows narrower and wider than a vector), outputs from tied
 * and near-tied to saturating (exp below its underflow, BCELoss's log clamp), drawn from a seed.
 * TorchLab takes each loss with mean reduction and no other argument than delta and beta, so those
 * are what is drawn (no class weights, label smoothing, ignore_index or sum reduction to follow).
 * LOSS_SEED=n draws another sweep.
 */
import { describe, expect, it } from 'vitest'
import { TorchLoss } from '../../src/main/lab/engine/dense/losses'
import { LOSS_TABLE, LOSSES, type LossName } from '../../src/shared/catalog/losses'
import { float32Stream } from '../helpers/float32Stream'
import { python } from '../helpers/python'

const SEED = Number(process.env.LOSS_SEED ?? 1)
const MAX_ROWS = 70

interface LossCase {
  name: LossName
  a: number
  rows: number
  width: number
  output: number[]
  target: number[]
}

/** one batch: its outputs' scale, ties and saturation drawn per case */
function lossCase(name: LossName, rows: number, k: number): LossCase {
  const next = float32Stream(SEED * 7919 + k * 131 + rows)
  const u = () => (next() + 1) / 2
  const task = LOSS_TABLE[name].task
  const width = task === 'multiclass' ? 2 + ((rows * 5 + k + SEED) % 11) : 1
  const a =
    name === 'HuberLoss' ? [0.1, 0.3, 1, 1.7][rows % 4] : name === 'SmoothL1Loss' ? [0, 0.1, 0.3, 1, 1.7][rows % 5] : 1
  const scale = [0.01, 1, 4, 30, 120][(rows + k) % 5]
  const output = Array.from({ length: rows * width }, (_, i) => {
    // a tie with the value before it, now and then: softmax's max and the residual's kinks
    const v = i % 9 === 4 ? 0 : Math.fround(next() * scale)
    return name === 'BCELoss' ? (i % 13 === 0 ? (v > 0 ? 1 : 0) : Math.fround(1 / (1 + Math.exp(-v)))) : v
  })
  const target = Array.from({ length: rows }, (_, r) => {
    if (task === 'multiclass') return Math.min(width - 1, Math.floor(u() * width))
    if (task === 'binary') return r % 7 === 3 ? Math.fround(u()) : u() < 0.5 ? 0 : 1
    return r % 6 === 1 ? output[r] : Math.fround(output[r] + next() * 2 * (a || 1))
  })
  return { name, a, rows, width, output, target }
}

describe('loss sweep against torch 1.13', () => {
  it(`every loss's value and gradient equals torch's bit for bit on batches of 1 to ${MAX_ROWS} rows, 2 to 12 classes (seed ${SEED})`, async () => {
    const cases = LOSSES.flatMap((name, k) => Array.from({ length: MAX_ROWS }, (_, r) => lossCase(name, r + 1, k)))
    const torch = await python<{ value: number; grad: number[] }[]>(
      `
import torch
from torch import nn
torch.set_num_threads(1)
out = []
for c in INPUT:
    x = torch.tensor(c['output'], dtype=torch.float32).reshape(-1, c['width']).requires_grad_()
    kwargs = {'HuberLoss': {'delta': c['a']}, 'SmoothL1Loss': {'beta': c['a']}}.get(c['name'], {})
    if c['name'] == 'CrossEntropyLoss':
        target = torch.tensor(c['target']).long()
    else:
        target = torch.tensor(c['target'], dtype=torch.float32).reshape(-1, 1)
    loss = getattr(nn, c['name'])(**kwargs)(x, target)
    loss.backward()
    out.append({'value': loss.item(), 'grad': x.grad.reshape(-1).tolist()})
print(json.dumps(out))
`,
      cases,
    )
    const values = new Map<LossName, number>()
    const grads = new Map<LossName, number>()
    const differ: string[] = []
    cases.forEach(({ name, a, rows, width, output, target }, k) => {
      const grad = new Float32Array(rows * width)
      const value = new TorchLoss({ name, huberDelta: a || 1, smoothL1Beta: a }).compute(
        Float32Array.from(output),
        Float32Array.from(target),
        rows,
        width,
        grad,
      )
      const wrong = Array.from(grad).flatMap((g, i) =>
        Object.is(g, torch[k].grad[i]) || g === torch[k].grad[i] ? [] : [i],
      )
      if (value === torch[k].value) values.set(name, (values.get(name) ?? 0) + 1)
      if (!wrong.length) grads.set(name, (grads.get(name) ?? 0) + 1)
      if ((value !== torch[k].value || wrong.length) && differ.length < 12) {
        const first = wrong[0]
        differ.push(
          `${name}(${a}) on ${rows}×${width}: value ${value} / ${torch[k].value}, ${wrong.length} gradient values (first [${first}]: ${grad[first]} / ${torch[k].grad[first]})`,
        )
      }
    })
    console.log(
      LOSSES.map(
        (name) =>
          `${name}: ${values.get(name) ?? 0} values, ${grads.get(name) ?? 0} gradients of ${MAX_ROWS} bit for bit`,
      ).join('\n'),
    )
    expect(differ).toEqual([])
  })
})

describe('BCELoss element by element', () => {
  it("takes each log as torch's scalar kernel does (glibc's logf, which a correctly rounded log misses on 0.7% of probabilities): 3000 one-row batches bit for bit", async () => {
    const next = float32Stream(SEED * 31 + 5)
    const cases = Array.from({ length: 3000 }, (_, i) => ({
      x: Math.fround((next() + 1) / 2),
      t: i % 5 === 2 ? Math.fround((next() + 1) / 2) : i % 2,
    }))
    const torch = await python<number[]>(
      `
import torch
x = torch.tensor([c['x'] for c in INPUT], dtype=torch.float32)
t = torch.tensor([c['t'] for c in INPUT], dtype=torch.float32)
print(json.dumps(torch.nn.functional.binary_cross_entropy(x, t, reduction='none').tolist()))
`,
      cases,
    )
    const bce = new TorchLoss({ name: 'BCELoss', huberDelta: 1, smoothL1Beta: 1 })
    const differ = cases.flatMap(({ x, t }, i) => {
      const value = bce.compute(Float32Array.of(x), Float32Array.of(t), 1, 1, null)
      return value === torch[i] ? [] : [`x ${x}, t ${t}: ${value} where torch has ${torch[i]}`]
    })
    expect(differ).toEqual([])
  })
})
