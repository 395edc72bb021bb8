/**
 * The dense engine on its kernels: the same training as the layers' own plain loops with the
 * JavaScript DenseOptimizer (to float32 rounding of the SIMD products' summation order), with
 * evaluation on a larger set between steps so the batch buffers grow after the optimizer's
 * state; which optimizer implementation each rule gets; and that the benchmark's MLP trains
 * on the WebAssembly kernels through LabService.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createRng, STREAM } from '../../src/main/lab/data/rng'
import { DenseEngine } from '../../src/main/lab/engine/dense/engine'
import { createKernels } from '../../src/main/lab/engine/dense/kernels'
import { TorchLoss } from '../../src/main/lab/engine/dense/losses'
import { DenseNetwork } from '../../src/main/lab/engine/dense/network'
import { chooseOptimizer } from '../../src/main/lab/engine/dense/optimizerChoice'
import { DenseOptimizer } from '../../src/main/lab/engine/dense/optimizers'
import { lossDefaults, type LossSpec } from '../../src/shared/catalog/losses'
import { moduleOf } from '../../src/shared/layers'
import { placeLayers, resolveModel, stateDictShapes } from '../../src/shared/modelSpec'
import { modelSpecSchema, optimizerSpecSchema, type ModelSpec, type OptimizerSpec } from '../../src/shared/schemas'
import { createService, tempDir } from '../helpers/lab'

const CROSS_ENTROPY: LossSpec = { name: 'CrossEntropyLoss', ...lossDefaults() }
const mlp = modelSpecSchema.parse({ kind: 'sequential', inFeatures: 5, outFeatures: 3, layers: [{ kind: 'Linear', outFeatures: 16 }, { kind: 'ReLU' }, { kind: 'Linear' }] })
const withBatchNorm = modelSpecSchema.parse({ kind: 'sequential', inFeatures: 5, outFeatures: 3, layers: [{ kind: 'Linear', outFeatures: 8 }, { kind: 'BatchNorm1d' }, { kind: 'Linear' }] })

function initial(model: ModelSpec) {
  const rng = createRng(3)
  return stateDictShapes(model).map((e) => ({ name: e.name, shape: e.shape, data: Float32Array.from({ length: e.shape.reduce((a, b) => a * b, 1) }, () => (rng() - 0.5) * 0.8) }))
}

const rows = (n: number, seed: number) => {
  const rng = createRng(seed)
  return { x: Float32Array.from({ length: n * 5 }, () => rng() * 4 - 2), y: Float32Array.from({ length: n }, () => Math.floor(rng() * 3)) }
}

/** the layers' runtimes with their plain loops, chained by hand, and DenseOptimizer: the engine as it was before the kernels */
function plainTraining(model: ModelSpec, spec: OptimizerSpec, steps: { x: Float32Array; y: Float32Array; n: number }[]): Float32Array[] {
  const rng = createRng(0, STREAM.dropout)
  const placed = placeLayers(model)
  const runtimes = placed.map(({ layer, inFeatures }) => moduleOf(layer).dense(layer, inFeatures, rng))
  const targets = runtimes.flatMap((r) => [...r.params, ...r.buffers])
  initial(model).forEach((t, i) => targets[i].set(t.data))
  const optimizer = new DenseOptimizer(spec, runtimes.flatMap((r) => r.params.map((p) => p.length)))
  for (const { x, y, n } of steps) {
    const outs = placed.map((p) => new Float32Array(n * p.outFeatures))
    const douts = placed.map((p) => new Float32Array(n * p.outFeatures))
    runtimes.forEach((r, i) => r.forward(i === 0 ? x : outs[i - 1], outs[i], n, true))
    new TorchLoss(CROSS_ENTROPY).compute(outs[outs.length - 1], y, n, model.outFeatures, douts[douts.length - 1])
    for (let i = runtimes.length - 1; i >= 0; i--) runtimes[i].backward(i === 0 ? x : outs[i - 1], outs[i], douts[i], n, i === 0 ? null : douts[i - 1], true)
    optimizer.apply(runtimes.flatMap((r) => r.params), runtimes.flatMap((r) => r.grads))
  }
  return runtimes.flatMap((r) => r.params)
}

describe('the dense engine on its kernels', () => {
  for (const name of ['Adam', 'AdamW', 'SGD', 'RMSprop', 'Adagrad'] as const) {
    it(`trains an MLP with ${name} as the plain loops do, its optimizer state intact while evaluation grows the batch buffers`, () => {
      const spec = optimizerSpecSchema.parse(name === 'SGD' ? { name, lr: 0.05, momentum: 0.9 } : name === 'AdamW' ? { name, lr: 0.05, weightDecay: 0.05 } : { name, lr: 0.05 })
      const engine = new DenseEngine({ model: mlp, loss: CROSS_ENTROPY, optimizer: spec, initial: initial(mlp), seed: 0 })
      // the output bias (three values) updates in JavaScript, where a kernel call costs more than it saves
      expect(engine.info.backend).toBe('wasm+js')
      const batches = [rows(4, 1), rows(4, 2), rows(4, 3), rows(4, 4)].map((b) => ({ ...b, n: 4 }))
      const big = rows(80, 9)
      for (const [i, b] of batches.entries()) {
        expect(Number.isFinite(engine.trainStep(b.x, b.y, b.n))).toBe(true)
        // growing evaluations between steps: the batch buffers move up past the optimizer's state
        expect(Number.isFinite(engine.loss(big.x, big.y, 10 + 20 * i))).toBe(true)
      }
      const expected = plainTraining(mlp, spec, batches)
      const got = engine.stateDict().map((t) => t.data)
      expected.forEach((e, i) => got[i].forEach((v, j) => expect(Math.abs(v - e[j]), `param ${i}[${j}]`).toBeLessThan(1e-5)))
      engine.dispose()
    })
  }

  it('runs the rules the kernels implement on the kernels and the rest in JavaScript, and JavaScript for parameters outside the kernel memory', () => {
    const implementation = (model: ModelSpec, spec: object) => {
      const kernels = createKernels().kernels
      const network = new DenseNetwork(model, initial(model), 0, kernels)
      return chooseOptimizer(optimizerSpecSchema.parse(spec), kernels, network.params, network.grads).implementation
    }
    expect(['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad'].map((name) => implementation(mlp, { name, lr: 0.01 }))).toEqual(['kernels', 'kernels', 'kernels', 'kernels', 'js'])
    // BatchNorm1d keeps its own arrays
    expect(implementation(withBatchNorm, { name: 'Adam', lr: 0.01 })).toBe('js')
  })
})

describe("the benchmark's MLP (8-64-64-1, Adam, batch 32)", () => {
  const service = createService()
  afterAll(() => service.dispose())
  const hidden = [
    { units: 64, activation: 'ReLU' as const },
    { units: 64, activation: 'ReLU' as const },
  ]

  it('trains through LabService on the WebAssembly kernels, its Adam updates on the kernels too', async () => {
    const dir = tempDir('torchlab-kernels-')
    const path = join(dir, 'mlp.csv')
    const rng = createRng(8)
    const lines = Array.from({ length: 640 }, () => {
      const x = Array.from({ length: 8 }, () => rng() * 6 - 3)
      return [...x, x.reduce((a, b, j) => a + b * (j - 3), 0)].join(',')
    })
    writeFileSync(path, ['x1,x2,x3,x4,x5,x6,x7,x8,y', ...lines].join('\n') + '\n')
    const features = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8']
    const { runId } = await service.startTraining({
      dataset: { source: { kind: 'file', path }, features, target: 'y' },
      model: { kind: 'mlp', hidden },
      train: { optimizer: { name: 'Adam', lr: 0.001 }, epochs: 2, batchSize: 32 },
      engine: 'dense',
    })
    const summary = await service.waitForRun(runId)
    expect(summary.status).toBe('completed')
    expect(summary.engine).toBe('dense')
    // all but the output bias, one value, which updates in JavaScript (sizeChoice.ts)
    expect(summary.backend).toBe('wasm+js')
    expect(summary.lossHistory[1]).toBeLessThan(summary.lossHistory[0])
    // the same network as the run's engine builds it: every parameter in the kernels' memory, so Adam runs there
    const model = resolveModel({ kind: 'sequential', layers: [...hidden.flatMap((h) => [{ kind: 'Linear' as const, outFeatures: h.units }, { kind: h.activation }]), { kind: 'Linear' as const }] }, 8, 1)
    const kernels = createKernels().kernels
    const network = new DenseNetwork(model, initial(model), 0, kernels)
    expect(chooseOptimizer(optimizerSpecSchema.parse({ name: 'Adam', lr: 0.001 }), kernels, network.params, network.grads).implementation).toBe('kernels')
  })
})
