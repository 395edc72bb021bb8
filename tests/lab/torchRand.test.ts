/** torch.manual_seed(s); torch.rand(...) reproduced bit for bit, against real torch 1.13. */
import { describe, expect, it } from 'vitest'
import { TorchGenerator } from '../../src/main/lab/scratch/torchRand'
import { python } from '../helpers/python'

const SEEDS = [0, 1, 7, 42, 123456, 2 ** 31 - 1]

describe('TorchGenerator', () => {
  it('draws what torch.rand draws in float32 and float64, in sequence, for several seeds and sizes', async () => {
    const torch = await python<{ f32: number[][]; f64: number[][]; mixed: number[][] }>(
      `
import torch
f32, f64, mixed = [], [], []
for s in INPUT:
    torch.manual_seed(s); f32.append(torch.rand(3).tolist() + torch.rand(1).tolist() + torch.rand(20).tolist())
    torch.manual_seed(s); f64.append(torch.rand(2, dtype=torch.float64).tolist() + torch.rand(20, dtype=torch.float64).tolist())
    torch.manual_seed(s); mixed.append(torch.rand(1).tolist() + torch.rand(1, dtype=torch.float64).tolist() + torch.rand(1).tolist())
print(json.dumps({'f32': f32, 'f64': f64, 'mixed': mixed}))
`,
      SEEDS,
    )
    SEEDS.forEach((seed, i) => {
      const a = new TorchGenerator(seed)
      expect([...a.randFloat32(3), ...a.randFloat32(1), ...a.randFloat32(20)], `float32 seed ${seed}`).toEqual(torch.f32[i])
      const b = new TorchGenerator(seed)
      expect([...b.randFloat64(2), ...b.randFloat64(20)], `float64 seed ${seed}`).toEqual(torch.f64[i])
      const c = new TorchGenerator(seed)
      expect([c.randFloat32(1)[0], c.randFloat64(1)[0], c.randFloat32(1)[0]], `mixed seed ${seed}`).toEqual(torch.mixed[i])
    })
  })
})
