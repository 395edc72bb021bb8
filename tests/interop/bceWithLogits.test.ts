/**
 * BCEWithLogitsLoss as torch 1.13 computes it on the CPU, bit for bit: its value, the composite
 * (1 − t)·x + m + log(exp(−m) + exp(−x − m)) op by op with Sleef's expf and logf on every value
 * (exp_ and log_ are vml ops), then mean(); its gradient, (sigmoid(x) − t) / numel with torch's
 * Sigmoid kernel (Sleef's expf in the 16-value vector loop, glibc's in the tail). Batches across
 * the vector loop's tail, logits from saturation to cancellation, targets 0, 1 and in between.
 */
import { describe, expect, it } from 'vitest'
import { TorchLoss } from '../../src/main/lab/engine/dense/losses'
import { LOSS_TABLE } from '../../src/shared/catalog/losses'
import { python } from '../helpers/python'

const spec = { name: 'BCEWithLogitsLoss' as const, huberDelta: 1, smoothL1Beta: 1 }

describe('BCEWithLogitsLoss', () => {
  it("gives torch's float32 value and gradient bit for bit on 408 batches of 1 to 1000 rows", async () => {
    expect(LOSS_TABLE.BCEWithLogitsLoss).toBeDefined()
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    // and 400 small batches: a value differs from torch's where one of its few terms does
    const sizes = [1, 5, 15, 16, 17, 40, 333, 1000, ...Array.from({ length: 400 }, (_, i) => 1 + (i % 12))]
    const runs = sizes.map((rows) => ({
      rows,
      logits: Array.from({ length: rows }, (_, i) => Math.fround((next() * 2 - 1) * [0.01, 3, 20, 120][i % 4])),
      target: Array.from({ length: rows }, (_, i) => (i % 5 === 4 ? Math.fround(next()) : (i * 7) % 3 === 0 ? 1 : 0)),
    }))
    const torch = await python<{ value: number; grad: number[] }[]>(
      `
import torch
torch.set_num_threads(1)
out = []
for r in INPUT:
    z = torch.tensor(r['logits'], dtype=torch.float32).reshape(-1, 1).requires_grad_()
    t = torch.tensor(r['target'], dtype=torch.float32).reshape(-1, 1)
    loss = torch.nn.BCEWithLogitsLoss()(z, t)
    loss.backward()
    out.append({'value': loss.item(), 'grad': z.grad.reshape(-1).tolist()})
print(json.dumps(out))
`,
      runs,
    )
    const differ: string[] = []
    runs.forEach(({ rows, logits, target }, k) => {
      const grad = new Float32Array(rows)
      const value = new TorchLoss(spec).compute(Float32Array.from(logits), Float32Array.from(target), rows, 1, grad)
      if (value !== torch[k].value) differ.push(`${rows} rows: value ${value} where torch has ${torch[k].value}`)
      const wrong = Array.from(grad).filter((g, i) => g !== torch[k].grad[i]).length
      if (wrong) differ.push(`${rows} rows: ${wrong} gradient values`)
    })
    expect(differ).toEqual([])
  })
})
