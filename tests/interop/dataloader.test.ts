import { describe, expect, it } from 'vitest'
import { DataLoader } from '../../src/main/lab/data/dataloader'
import { python } from '../helpers/python'

const cases = [
  { n: 32, batch: 2, dropLast: false },
  { n: 32, batch: 5, dropLast: false },
  { n: 32, batch: 5, dropLast: true },
  { n: 7, batch: 10, dropLast: false },
  { n: 7, batch: 10, dropLast: true },
  { n: 150, batch: 32, dropLast: true },
  { n: 1, batch: 1, dropLast: false },
]

describe('DataLoader', () => {
  it("gives torch's DataLoader(batch_size, drop_last) index lists", async () => {
    const torch = await python<number[][][]>(
      `
import torch
from torch.utils.data import DataLoader
out = []
for c in INPUT:
    loader = DataLoader(list(range(c['n'])), batch_size=c['batch'], drop_last=c['dropLast'], shuffle=False)
    out.append([b.tolist() for b in loader])
print(json.dumps(out))
`,
      cases,
    )
    cases.forEach((c, i) => {
      const ours = new DataLoader(c.n, { batchSize: c.batch, dropLast: c.dropLast, shuffle: false, seed: 0 }).nextEpoch().map((b) => Array.from(b))
      expect(ours).toEqual(torch[i])
    })
  })

  it('shuffles every epoch with a seed: each epoch a permutation, reproducible', () => {
    const epochs = (seed: number) => {
      const loader = new DataLoader(20, { batchSize: 6, dropLast: false, shuffle: true, seed })
      return [loader.nextEpoch(), loader.nextEpoch()].map((e) => e.flatMap((b) => Array.from(b)))
    }
    const [a1, a2] = epochs(7)
    const [b1] = epochs(7)
    expect([...a1].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(a1).toEqual(b1)
    expect(a1).not.toEqual(a2)
  })

  it("shuffles in torch's order: each epoch's batches equal DataLoader(shuffle=True)'s after torch.manual_seed(seed), over four epochs", async () => {
    const shuffled = [...cases, { n: 1000, batch: 64, dropLast: false }, { n: 5, batch: 2, dropLast: true }].flatMap((c, k) => [0, 7, 42, 2 ** 32 + 5, 123456789].map((seed) => ({ ...c, seed: seed + k })))
    const torch = await python<number[][][][]>(
      `
import torch
from torch.utils.data import DataLoader
out = []
for c in INPUT:
    torch.manual_seed(c['seed'])
    loader = DataLoader(list(range(c['n'])), batch_size=c['batch'], drop_last=c['dropLast'], shuffle=True)
    out.append([[b.tolist() for b in loader] for epoch in range(4)])
print(json.dumps(out))
`,
      shuffled,
    )
    const differ = shuffled.flatMap((c, i) => {
      const loader = new DataLoader(c.n, { batchSize: c.batch, dropLast: c.dropLast, shuffle: true, seed: c.seed })
      const ours = Array.from({ length: 4 }, () => loader.nextEpoch().map((b) => Array.from(b)))
      return JSON.stringify(ours) === JSON.stringify(torch[i]) ? [] : [`n=${c.n} batch=${c.batch} seed=${c.seed}`]
    })
    expect(differ).toEqual([])
  })
})
