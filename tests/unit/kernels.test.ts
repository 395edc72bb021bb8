/**
 * The dense engine's WebAssembly SIMD kernels against their JavaScript definition: the matrix
 * products to float32 rounding of another summation order, on random shapes with odd sizes
 * for the SIMD tails; the optimizer updates to the bit against the dense engine's own
 * DenseOptimizer. Builds the kernels first when they are missing.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { compileKernels, ensureKernelsBuilt, KERNELS_SOURCE } from '../../scripts/buildKernels'
import { createRng, type Rng } from '../../src/main/lab/data/rng'
import { DenseOptimizer } from '../../src/main/lab/engine/dense/optimizers'
import type { OptimizerState } from '../../src/main/lab/engine/engine'
import { LabError } from '../../src/shared/errors'
import type { KernelOptimizerSpec } from '../../src/main/lab/engine/dense/kernels'
import { optimizerSpecSchema } from '../../src/shared/schemas'

await ensureKernelsBuilt()
const { createKernels, KernelOptimizer } = await import('../../src/main/lab/engine/dense/kernels')
const { KERNELS_WASM_BASE64 } = await import('../../src/main/lab/engine/dense/kernels/binary.generated')
type Kernels = ReturnType<typeof createKernels>['kernels']
type Block = ReturnType<Kernels['memory']['alloc']>

const F32_EPS = 2 ** -24
const GUARD = 7

function fill(block: Block, rng: Rng, scale = 1): Block {
  const a = block.array
  for (let i = 0; i < a.length; i++) a[i] = Math.fround((rng() * 2 - 1) * scale)
  return block
}

/** a block with sentinel blocks either side, to catch a kernel writing past its buffer */
function guarded(k: Kernels, length: number): { block: Block; intact: () => boolean } {
  const before = k.memory.alloc(GUARD)
  const block = k.memory.alloc(length)
  const after = k.memory.alloc(GUARD)
  before.array.fill(-123.5)
  after.array.fill(-123.5)
  return { block, intact: () => [...before.array, ...after.array].every((v) => v === -123.5) }
}

/** within float32 rounding of any summation order: |a − exact| ≤ (terms + 2)·ε·Σ|term| */
function expectSum(actual: number, exact: number, absSum: number, terms: number, where: string): void {
  const bound = (terms + 2) * F32_EPS * absSum + 1e-30
  if (!(Math.abs(actual - exact) <= bound)) throw new Error(`${where}: ${actual} vs exact ${exact} (bound ${bound})`)
}

/** shapes 1..130 in each dimension, with the sizes where SIMD loops change over */
function shapes(rng: Rng): [number, number, number][] {
  const edges: [number, number, number][] = [
    [1, 1, 1],
    [2, 1, 1],
    [1, 3, 5],
    [3, 4, 4],
    [5, 15, 17],
    [7, 16, 64],
    [32, 8, 64],
    [32, 64, 64],
    [32, 64, 1],
    [130, 130, 130],
    [33, 65, 63],
  ]
  const random = Array.from({ length: 30 }, () => [0, 0, 0].map(() => 1 + Math.floor(rng() * 130)) as [number, number, number])
  return [...edges, ...random]
}

const simd = createKernels()
const js = createKernels({ simd: false })

describe('kernel build', () => {
  it('the built binary is kernels.wat as it stands, and it runs here as SIMD', async () => {
    const fresh = await compileKernels(readFileSync(KERNELS_SOURCE, 'utf8'))
    expect(Buffer.from(KERNELS_WASM_BASE64, 'base64').equals(Buffer.from(fresh))).toBe(true)
    expect(simd.kernels.backend).toBe('wasm')
    expect(simd.unavailable).toEqual([])
  })

  it('reports a binary the runtime refuses and falls back to the JavaScript kernels, which still compute', () => {
    const broken = Buffer.from(KERNELS_WASM_BASE64, 'base64').subarray(0, 200)
    const { kernels, unavailable } = createKernels({ wasm: broken })
    expect(kernels.backend).toBe('js')
    expect(unavailable).toHaveLength(1)
    expect(unavailable[0].backend).toBe('wasm')
    expect(unavailable[0].reason).toMatch(/WebAssembly SIMD kernels could not start here \(.+\); running plain JavaScript loops\./)
    const m = kernels.memory
    const [x, w, b, y] = [m.alloc(2), m.alloc(2), m.alloc(1), m.alloc(1)]
    x.array.set([1, 2])
    w.array.set([3, 4])
    b.array.set([0.5])
    kernels.linearForward(x, w, b, y, 1, 2, 1)
    expect(y.array[0]).toBe(11.5)
  })
})

describe('matrix products', () => {
  for (const [name, k] of [
    ['SIMD', simd.kernels],
    ['JavaScript', js.kernels],
  ] as const) {
    it(`${name}: y = x·Wᵀ + b, dx = dy·W and dW (+)= dyᵀ·x to float32 rounding of the exact sums`, () => {
      const rng = createRng(14)
      for (const [n, kk, m] of shapes(rng)) {
        const mark = k.memory.mark()
        const x = fill(k.memory.alloc(n * kk), rng)
        const w = fill(k.memory.alloc(m * kk), rng)
        const b = fill(k.memory.alloc(m), rng)
        const dy = fill(k.memory.alloc(n * m), rng)
        // ReLU zeroes gradients: the JS loops skip those, the SIMD ones do not
        dy.array.forEach((v, i, a) => (a[i] = v < -0.5 ? 0 : v))
        const y = guarded(k, n * m)
        const dx = guarded(k, n * kk)
        const dw = guarded(k, m * kk)
        const dwStart = fill(dw.block, rng).array.slice()
        k.linearForward(x, w, b, y.block, n, kk, m)
        k.linearBackwardInput(dy, w, dx.block, n, kk, m)
        k.linearBackwardWeight(dy, x, dw.block, n, kk, m, true)
        const where = `${name} n=${n} k=${kk} m=${m}`
        expect([y, dx, dw].every((g) => g.intact()), `${where}: wrote outside its buffer`).toBe(true)
        const [X, W, B, DY] = [x.array, w.array, b.array, dy.array]
        for (let r = 0; r < n; r++) {
          for (let o = 0; o < m; o++) {
            let exact = B[o]
            let abs = Math.abs(B[o])
            for (let j = 0; j < kk; j++) {
              exact += X[r * kk + j] * W[o * kk + j]
              abs += Math.abs(X[r * kk + j] * W[o * kk + j])
            }
            expectSum(y.block.array[r * m + o], exact, abs, kk + 1, `${where} y[${r},${o}]`)
          }
          for (let j = 0; j < kk; j++) {
            let exact = 0
            let abs = 0
            for (let o = 0; o < m; o++) {
              exact += DY[r * m + o] * W[o * kk + j]
              abs += Math.abs(DY[r * m + o] * W[o * kk + j])
            }
            expectSum(dx.block.array[r * kk + j], exact, abs, m, `${where} dx[${r},${j}]`)
          }
        }
        for (let o = 0; o < m; o++) {
          for (let j = 0; j < kk; j++) {
            let exact = dwStart[o * kk + j]
            let abs = Math.abs(exact)
            for (let r = 0; r < n; r++) {
              exact += DY[r * m + o] * X[r * kk + j]
              abs += Math.abs(DY[r * m + o] * X[r * kk + j])
            }
            expectSum(dw.block.array[o * kk + j], exact, abs, n + 1, `${where} dw[${o},${j}]`)
          }
        }
        // without accumulate the gradient is overwritten, whatever it held
        fill(dw.block, rng, 1000)
        k.linearBackwardWeight(dy, x, dw.block, n, kk, m, false)
        const fresh = k.memory.alloc(m * kk)
        k.linearBackwardWeight(dy, x, fresh, n, kk, m, true)
        expect(dw.block.array).toEqual(fresh.array)
        k.memory.release(mark)
      }
    })
  }

  it("SIMD gives the course model's one-input products to the bit, as torch rounds them", () => {
    const rng = createRng(3)
    const m = simd.kernels.memory
    const [x, w, b, y] = [fill(m.alloc(33), rng, 5), m.alloc(1), m.alloc(1), m.alloc(33)]
    w.array[0] = -5.72
    b.array[0] = 36.7
    simd.kernels.linearForward(x, w, b, y, 33, 1, 1)
    expect(y.array).toEqual(x.array.map((v) => Math.fround(Math.fround(v * w.array[0]) + b.array[0])))
  })
})

const OPTIMIZERS: KernelOptimizerSpec[] = [
  { name: 'SGD', lr: 0.05 },
  { name: 'SGD', lr: 0.05, weightDecay: 0.01 },
  { name: 'SGD', lr: 0.05, momentum: 0.9 },
  { name: 'SGD', lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.02 },
  { name: 'SGD', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.001 },
  { name: 'Adam' },
  { name: 'Adam', lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.05 },
  { name: 'AdamW' },
  { name: 'AdamW', lr: 0.02, weightDecay: 0.1 },
  { name: 'Adam', lr: 0.01, amsgrad: true, weightDecay: 0.01 },
  { name: 'AdamW', lr: 0.02, weightDecay: 0.1, amsgrad: true },
  { name: 'RMSprop' },
  { name: 'RMSprop', weightDecay: 0.01, centered: true },
  { name: 'RMSprop', momentum: 0.9 },
  { name: 'RMSprop', momentum: 0.5, centered: true, weightDecay: 0.003, alpha: 0.9 },
].map((s) => optimizerSpecSchema.parse(s) as KernelOptimizerSpec)

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length))

function expectSameState(ours: OptimizerState, theirs: OptimizerState, where: string): void {
  expect(ours.step).toBe(theirs.step)
  ours.buffers.forEach((buffers, i) => {
    expect(Object.keys(buffers).sort(), where).toEqual(Object.keys(theirs.buffers[i]).sort())
    for (const [name, data] of Object.entries(buffers)) expect(bits(data), `${where} ${name}`).toEqual(bits(theirs.buffers[i][name]))
  })
}

describe('optimizer updates', () => {
  for (const spec of OPTIMIZERS) {
    it(`${JSON.stringify(spec)}: SIMD and JavaScript kernels give DenseOptimizer's bits, state and resumption`, () => {
      const rng = createRng(7)
      const sizes = [1, 2, 3, 4, 5, 7, 64, 65, 130, 4097]
      const params = sizes.map((n) => Float32Array.from({ length: n }, () => Math.fround(rng() * 2 - 1)))
      // a tenth of the gradients are zero, as ReLU leaves them; the rest of every scale from 1e-6 to 10
      const grads = () => sizes.map((n) => Float32Array.from({ length: n }, () => Math.fround((rng() * 2 - 1) * (rng() < 0.1 ? 0 : 10 ** Math.floor(rng() * 8 - 6)))))
      const reference = new DenseOptimizer(spec, sizes)
      const expected = params.map((p) => p.slice())
      const run = (k: Kernels, from: Float32Array[], initial?: OptimizerState) => {
        const load = (data: Float32Array) => {
          const block = k.memory.alloc(data.length)
          block.array.set(data)
          return block
        }
        const p = from.map(load)
        return { k, p, g: sizes.map((n) => k.memory.alloc(n)), optimizer: new KernelOptimizer(spec, k, p, initial) }
      }
      const ours = [run(simd.kernels, params), run(createKernels({ simd: false }).kernels, params)]
      const step = (o: (typeof ours)[number], g: Float32Array[], label: string) => {
        o.g.forEach((block, i) => block.array.set(g[i]))
        o.optimizer.apply(o.p, o.g)
        o.p.forEach((p, i) => expect(bits(p.array), `${o.k.backend} ${label} size ${sizes[i]}`).toEqual(bits(expected[i])))
      }
      for (const o of ours) expectSameState(o.optimizer.state(), reference.state(), `${o.k.backend} before any step`)
      for (let i = 1; i <= 5; i++) {
        const g = grads()
        reference.apply(expected, g)
        for (const o of ours) step(o, g, `step ${i}`)
      }
      for (const o of ours) expectSameState(o.optimizer.state(), reference.state(), o.k.backend)
      // a checkpoint's state continues where it stopped
      const resumed = run(createKernels().kernels, expected, reference.state())
      for (let i = 6; i <= 8; i++) {
        const g = grads()
        reference.apply(expected, g)
        step(resumed, g, `resumed step ${i}`)
      }
      expectSameState(resumed.optimizer.state(), reference.state(), 'resumed')
    })
  }

  it('refuses a checkpoint state whose length differs from its parameter, naming it', () => {
    const { kernels } = createKernels()
    const p = kernels.memory.alloc(3)
    const spec = optimizerSpecSchema.parse({ name: 'Adam' }) as KernelOptimizerSpec
    expect(() => new KernelOptimizer(spec, kernels, [p], { step: 2, buffers: [{ exp_avg: new Float32Array(4) }] })).toThrow(
      'The optimizer state exp_avg of parameter 0 holds 4 values, but the parameter has 3.',
    )
  })
})

describe('kernel memory', () => {
  it('keeps every buffer and every view valid through growth (the memory is shared), and finds the buffer behind a view', () => {
    const { kernels: k } = createKernels()
    const rng = createRng(5)
    const x = fill(k.memory.alloc(3 * 5), rng)
    const w = fill(k.memory.alloc(2 * 5), rng)
    const b = fill(k.memory.alloc(2), rng)
    const before = x.array
    const saved = [x.array.slice(), w.array.slice(), b.array.slice()]
    const big = k.memory.alloc(4_000_000)
    expect(x.array).toBe(before)
    expect([x.array, w.array, b.array]).toEqual(saved)
    expect(k.memory.blockOf(before)).toBe(x)
    expect(k.memory.blockOf(saved[0])).toBeNull()
    expect(big.array.every((v) => v === 0)).toBe(true)
    const y = k.memory.alloc(6)
    k.linearForward(x, w, b, y, 3, 5, 2)
    const expected = createKernels({ simd: false }).kernels
    const m = expected.memory
    const [x2, w2, b2, y2] = [m.alloc(15), m.alloc(10), m.alloc(2), m.alloc(6)]
    x2.array.set(saved[0])
    w2.array.set(saved[1])
    b2.array.set(saved[2])
    expected.linearForward(x2, w2, b2, y2, 3, 5, 2)
    y.array.forEach((v, i) => expectSum(v, y2.array[i], 1e3, 6, `y[${i}]`))
  })

  it('hands out zeroed buffers again after release', () => {
    const { kernels: k } = createKernels()
    const mark = k.memory.mark()
    const released = k.memory.alloc(10)
    released.array.fill(9)
    k.memory.release(mark)
    expect(k.memory.blockOf(released.array)).toBeNull()
    expect(Array.from(k.memory.alloc(10).array)).toEqual(new Array(10).fill(0))
  })

  it('refuses a product whose buffers are too small or from another memory, writing nothing', () => {
    const { kernels: k } = createKernels()
    const other = createKernels().kernels.memory
    const [x, w, b] = [k.memory.alloc(6), k.memory.alloc(6), k.memory.alloc(2)]
    const small = guarded(k, 3)
    const thrown = (fn: () => void) => {
      try {
        fn()
      } catch (err) {
        return err
      }
      return undefined
    }
    const err = thrown(() => k.linearForward(x, w, b, small.block, 2, 3, 2))
    expect(err).toBeInstanceOf(LabError)
    expect((err as LabError).info.message).toBe('The dense engine passed linearForward a buffer of 3 values where it needs 4.')
    expect(small.intact() && small.block.array.every((v) => v === 0)).toBe(true)
    const foreign = thrown(() => k.linearForward(x, w, b, other.alloc(4), 2, 3, 2))
    expect((foreign as LabError).info.message).toMatch(/from its own memory/)
  })
})
