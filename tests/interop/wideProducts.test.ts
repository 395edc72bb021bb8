/**
 * torch 1.13's summation order for nn.Linear over 4 to 16 inputs, identified: its BLAS
 * (OpenBLAS 0.3.21, Haswell, one thread) sums an output as one chain of fused multiply-adds in
 * index order (narrowProducts.ts's) for a forward pass of fewer than 8 outputs, and an input
 * gradient with fewer than 8 inputs or fewer than 8 outputs; wider, its 8-wide tiles take
 * another order. The dense engine runs these products on its SIMD kernels, in four lanes, and
 * does not follow it: in JavaScript the chains made an MLP's step 1.5 to 2.5 times slower
 * (docs/PARITY.md). This holds the order, so that a kernel that takes it can be checked.
 */
import { describe, expect, it } from 'vitest'
import { createRng } from '../../src/main/lab/data/rng'
import { createKernels, kernelOps } from '../../src/main/lab/engine/dense/kernels'
import { narrowBackwardInput, narrowForward } from '../../src/main/lab/engine/dense/kernels/narrowProducts'
import { linearCases, torchLinear } from './torchReference'

const bits = (a: ArrayLike<number>) => Array.from(Float32Array.from(a), (v) => new Uint32Array(Float32Array.of(v).buffer)[0]).join()

/** where torch's BLAS takes a product as one chain: narrower than its 8-wide tiles on a side */
const BLAS_TILE = 8
const chainForward = (m: number) => m < BLAS_TILE
const chainInputGradient = (k: number, m: number) => k < BLAS_TILE || m < BLAS_TILE

describe('products over 4 to 16 inputs', () => {
  it("torch's forward pass and dx are fused multiply-add chains in index order wherever a side is narrower than 8 (4–16 inputs, 1–16 outputs, 1–37 rows); the SIMD kernels round otherwise", async () => {
    const rng = createRng(5)
    const value = (scale: number) => Math.fround((rng() * 2 - 1) * scale)
    const shapes: [number, number, number][] = []
    for (let k = 4; k <= 16; k++) for (const m of [1, 2, 3, 5, 7, 8, 9, 12, 16]) for (const n of [1, 2, 5, 8, 13, 37]) shapes.push([n, k, m])
    const cases = linearCases(shapes, value)
    const torch = await torchLinear(cases)
    const ops = kernelOps(createKernels().kernels)
    const alloc = (v: number[]) => {
      const a = ops.alloc(v.length)
      a.set(v)
      return a
    }
    const differ: string[] = []
    let kernelsDiffer = 0
    cases.forEach(({ n, k, m, x, w, b, dy }, i) => {
      const [X, W, B, DY] = [alloc(x), alloc(w), alloc(b), alloc(dy)]
      const [y, dx, simdY, simdDx] = [ops.alloc(n * m), ops.alloc(n * k), ops.alloc(n * m), ops.alloc(n * k)]
      narrowForward(X, W, B, y, n, k, m)
      narrowBackwardInput(DY, W, dx, n, k, m)
      ops.linearForward(X, W, B, simdY, n, k, m)
      ops.linearBackwardInput(DY, W, simdDx, n, k, m)
      for (const [what, chained, ours, simd, theirs] of [['y', chainForward(m), y, simdY, torch[i].y], ['dx', chainInputGradient(k, m), dx, simdDx, torch[i].dx]] as const) {
        if (!chained) continue
        if (bits(ours) !== bits(theirs)) differ.push(`n=${n} k=${k} m=${m} ${what}`)
        if (bits(simd) !== bits(theirs)) kernelsDiffer++
      }
    })
    expect(differ).toEqual([])
    // what the engine runs: four lanes, another rounding (787 of 1020 products on 2026-11-29)
    expect(kernelsDiffer).toBeGreaterThan(0)
  }, 120_000)
})
