/**
 * The dense engine's backend names what ran: each case trains two real steps on the real
 * kernels, seen through a wrapper that notes which weights' products and which parameters'
 * updates called the SIMD kernels, and the name must agree — `wasm` only when every Linear
 * layer's products and every parameter's update did, `js` when nothing did, `wasm+js` between.
 */
import { describe, expect, it } from 'vitest'
import { ensureKernelsBuilt } from '../../scripts/buildKernels'
import { createRng } from '../../src/main/lab/data/rng'
import { DenseEngine } from '../../src/main/lab/engine/dense/engine'
import type { DenseKernels } from '../../src/main/lab/engine/dense/kernels'
import type { DenseBackendName } from '../../src/shared/api'
import { lossDefaults } from '../../src/shared/catalog/losses'
import { placeLayers, stateDictShapes } from '../../src/shared/modelSpec'
import { modelSpecSchema, optimizerSpecSchema, type ModelSpec } from '../../src/shared/schemas'

await ensureKernelsBuilt()
const { createKernels } = await import('../../src/main/lab/engine/dense/kernels')

/** the real kernels, noting the weight (or weight gradient) of every product and the parameter of every update they run */
function watched(inner: DenseKernels) {
  const forward = new Set<number>()
  const input = new Set<number>()
  const weight = new Set<number>()
  const updated = new Set<number>()
  const kernels: DenseKernels = {
    backend: inner.backend,
    memory: inner.memory,
    linearForward(x, w, b, y, n, k, m) {
      forward.add(w.ptr)
      inner.linearForward(x, w, b, y, n, k, m)
    },
    linearBackwardInput(dy, w, dx, n, k, m) {
      input.add(w.ptr)
      inner.linearBackwardInput(dy, w, dx, n, k, m)
    },
    linearBackwardWeight(dy, x, dw, n, k, m, accumulate) {
      weight.add(dw.ptr)
      inner.linearBackwardWeight(dy, x, dw, n, k, m, accumulate)
    },
    sgd(spec, s, p, g, buf, fresh) {
      updated.add(p.ptr)
      inner.sgd(spec, s, p, g, buf, fresh)
    },
    adam(spec, s, p, g, m, v, vMax) {
      updated.add(p.ptr)
      inner.adam(spec, s, p, g, m, v, vMax)
    },
    rmsprop(spec, s, p, g, sq, ga, buf) {
      updated.add(p.ptr)
      inner.rmsprop(spec, s, p, g, sq, ga, buf)
    },
  }
  return { kernels, forward, input, weight, updated }
}

const mlp = (inFeatures: number, layers: object[], outFeatures: number): ModelSpec => modelSpecSchema.parse({ kind: 'sequential', inFeatures, outFeatures, layers })
const course = modelSpecSchema.parse({ kind: 'linear', inFeatures: 1, outFeatures: 1 })
const hidden = [{ kind: 'Linear', outFeatures: 64 }, { kind: 'ReLU' }, { kind: 'Linear', outFeatures: 64 }, { kind: 'ReLU' }, { kind: 'Linear' }]

const CASES: { title: string; model: ModelSpec; optimizer: object; simd?: false; name: DenseBackendName }[] = [
  { title: "the course's Linear(1, 1) with SGD: one input, two one-value parameters", model: course, optimizer: { name: 'SGD', lr: 0.02 }, name: 'js' },
  { title: 'MLP 8-64-64-1 with Adam: the output bias (one value) updates in JavaScript', model: mlp(8, hidden, 1), optimizer: { name: 'Adam', lr: 0.001 }, name: 'wasm+js' },
  { title: 'MLP 8-64-64-8 with Adam', model: mlp(8, hidden, 8), optimizer: { name: 'Adam', lr: 0.001 }, name: 'wasm' },
  { title: 'MLP 8-64-64-8 with SGD and momentum', model: mlp(8, hidden, 8), optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 }, name: 'wasm' },
  { title: 'MLP 8-64-64-8 with Adagrad, which has no kernel', model: mlp(8, hidden, 8), optimizer: { name: 'Adagrad', lr: 0.01 }, name: 'wasm+js' },
  {
    title: 'MLP with BatchNorm1d, whose parameters live outside the kernels',
    model: mlp(8, [{ kind: 'Linear', outFeatures: 64 }, { kind: 'BatchNorm1d' }, { kind: 'ReLU' }, { kind: 'Linear' }], 8),
    optimizer: { name: 'Adam', lr: 0.001 },
    name: 'wasm+js',
  },
  { title: 'MLP 3-64-8 with RMSprop: three inputs, too few for a SIMD vector', model: mlp(3, [{ kind: 'Linear', outFeatures: 64 }, { kind: 'Tanh' }, { kind: 'Linear' }], 8), optimizer: { name: 'RMSprop', lr: 0.001 }, name: 'wasm+js' },
  { title: 'MLP 8-64-64-8 with Adam where SIMD is missing', model: mlp(8, hidden, 8), optimizer: { name: 'Adam', lr: 0.001 }, simd: false, name: 'js' },
]

describe("the dense engine's backend name", () => {
  for (const c of CASES) {
    it(`${c.title}: ${c.name}, as the kernels' calls show`, () => {
      const choice = createKernels(c.simd === false ? { simd: false } : {})
      const seen = watched(choice.kernels)
      const rng = createRng(4)
      const initial = stateDictShapes(c.model).map((e) => ({ name: e.name, shape: e.shape, data: Float32Array.from({ length: e.shape.reduce((a, b) => a * b, 1) }, () => rng() - 0.5) }))
      const engine = new DenseEngine({ model: c.model, loss: { name: 'MSELoss', ...lossDefaults() }, optimizer: optimizerSpecSchema.parse(c.optimizer), initial, seed: 0 }, { kernels: seen.kernels, unavailable: choice.unavailable })
      const n = 16
      const x = Float32Array.from({ length: n * c.model.inFeatures }, () => rng() * 2 - 1)
      const y = Float32Array.from({ length: n * c.model.outFeatures }, () => rng() * 2 - 1)
      for (let step = 0; step < 2; step++) expect(Number.isFinite(engine.trainStep(x, y, n))).toBe(true)

      const linears = placeLayers(c.model).filter((p) => p.layer.kind === 'Linear')
      const parameters = stateDictShapes(c.model).filter((e) => !e.buffer)
      const { forward, input, weight, updated } = seen
      const calls = forward.size + input.size + weight.size + updated.size
      // the first layer computes no dx
      const all = forward.size === linears.length && input.size === linears.length - 1 && weight.size === linears.length && updated.size === parameters.length
      const truth: DenseBackendName = choice.kernels.backend === 'js' || calls === 0 ? 'js' : all ? 'wasm' : 'wasm+js'
      const ran = `SIMD ran ${forward.size}/${input.size}/${weight.size} forward/dx/dW products of ${linears.length} Linear layers and updated ${updated.size} of ${parameters.length} parameters`
      expect(engine.info.backend, ran).toBe(truth)
      expect(truth).toBe(c.name)
      engine.dispose()
    })
  }
})
