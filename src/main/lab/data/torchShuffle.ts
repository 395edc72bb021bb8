/**
 * The batch order of torch 1.13's `DataLoader(..., shuffle=True)` after `torch.manual_seed(seed)`,
 * so a seeded run visits the rows in torch's order. Each epoch's iterator draws two int64 values
 * from the global generator (`random_()`, two 32-bit words each, the high one first): the
 * iterator's base seed, then RandomSampler's seed, which seeds a generator of its own (mt19937
 * keeps the seed's low 32 bits) for `randperm`; torch's CPU randperm swaps row i with row
 * i + random() mod (n − i). Checked against torch in tests/interop/dataloader.test.ts.
 */
import { TorchGenerator } from '../scratch/torchRand'

export class TorchShuffle {
  private readonly global: TorchGenerator

  constructor(seed: number) {
    this.global = new TorchGenerator(seed)
  }

  /** the next epoch's order of the rows 0..n−1 */
  next(n: number): Int32Array {
    // the base seed's two words and the sampler seed's high word go unused
    for (let i = 0; i < 3; i++) this.global.next32()
    const sampler = new TorchGenerator(this.global.next32())
    const order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[i] = i
    for (let i = 0; i < n - 1; i++) {
      const z = i + (sampler.next32() % (n - i))
      const t = order[i]
      order[i] = order[z]
      order[z] = t
    }
    return order
  }
}
