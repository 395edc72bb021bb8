/**
 * Sleef 3.5.1's logf u10 as ported (sleefLogf: torch's Vectorized<float>::log, which log_ takes on
 * every value as a vml op) against torch.log itself: uniform in [0, 4], log-uniform over e^±80,
 * subnormals, and the edges of its [0.75, 1.5) reduction.
 */
import { describe, expect, it } from 'vitest'
import { createRng } from '../../src/main/lab/data/rng'
import { sleefLogf } from '../../src/shared/catalog/sleefKernels'
import { python } from '../helpers/python'

describe("Sleef's logf", () => {
  it('equals torch.log bit for bit on 42,006 float32 points', async () => {
    const rng = createRng(11)
    const points = [
      ...Array.from({ length: 20_000 }, () => Math.fround(rng() * 4)),
      ...Array.from({ length: 20_000 }, () => Math.fround(Math.exp((rng() * 2 - 1) * 80))),
      ...Array.from({ length: 2_000 }, () => Math.fround(rng() * 1e-39)),
      ...[1, 2, 0.75, 1.5, 3.4e38, 1e-45].map(Math.fround),
    ]
    const torch = await python<number[]>(
      `
import torch
print(json.dumps(torch.log(torch.tensor(INPUT, dtype=torch.float32)).tolist()))
`,
      points,
    )
    const differ = points.filter((p, i) => !Object.is(sleefLogf(p), torch[i]))
    expect(differ.slice(0, 5)).toEqual([])
  })
})
