/**
 * The parity sweep (issue 11's terms): every loss × every optimizer setting TorchLab offers, with
 * the activations cycled so each loss meets each activation, 200 epochs in a fixed batch order,
 * batch sizes 1, uneven and full, from torch's own initial weights or from zeros. Torch makes the
 * initial weights under a seed and torch.save()s them; TorchLab starts from that .pth through its
 * real reader (what `lab train --init` runs) and trains on both engines. One torch process writes
 * every file, then trains every case in float32 and float64 while TorchLab trains.
 *
 * Rule: each weight equals torch's float32 weight within 1e-5 (relative to 1), or — where the run
 * is ill-conditioned — within torch float32's own distance to the same run in float64, the widest
 * it reaches at any epoch's end (near an optimum, centered RMSprop divides a vanishing gradient by
 * its vanishing deviation, and the float32 and float64 runs wander apart and back). Both distances
 * are printed for every case and engine.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startingPointFromFile } from '../../src/main/lab/checkpoint/files'
import { createEngine } from '../../src/main/lab/engine/select'
import { tfjsRefusal } from '../../src/main/lab/engine/tfjs/support'
import { activationLayer, ACTIVATIONS, type ActivationName } from '../../src/shared/catalog/activations'
import { LOSS_TABLE, LOSSES, lossDefaults, type LossName, type LossSpec } from '../../src/shared/catalog/losses'
import type { OptimizerSpec } from '../../src/shared/catalog/optimizers'
import type { LayerSpecInput } from '../../src/shared/layers'
import { resolveModel, stateDictShapes } from '../../src/shared/modelSpec'
import { modelArchSchema, type ModelSpec } from '../../src/shared/schemas'
import { float32Stream } from '../helpers/float32Stream'
import { OPTIMIZER_SETTINGS, optimizerSetting, torchOptimizerKwargs } from '../helpers/optimizerSettings'
import { pythonLines } from '../helpers/python'
import { torchModules } from '../helpers/torchModules'
import { ENGINES, type EngineName } from './harness'

const FEATURES = 3
const CLASSES = 3
const EPOCHS = 200
/**
 * one row at a time (6 rows), an uneven split (12 rows as 5, 5, 2) and the whole set (20 rows,
 * long enough for torch's vectorised sums). A step costs the tfjs engine about a millisecond
 * whatever its size, so the row-at-a-time set is the small one.
 */
const SHAPES = [
  { rows: 6, batch: 1 },
  { rows: 12, batch: 5 },
  { rows: 20, batch: 20 },
]
const LOSS_ARGS: Partial<Record<LossName, Partial<LossSpec>>> = { HuberLoss: { huberDelta: 0.5 }, SmoothL1Loss: { smoothL1Beta: 0.3 } }

/**
 * Known, explained differences, by engine and case. Listed, not hidden: each is printed with its
 * cause, and the sweep fails on any other run out of bounds.
 */
const OPEN_GAPS: Record<string, { why: string; ceiling: number }> = {
  'tfjs L1Loss {"name":"RMSprop","lr":0.005,"momentum":0.3} ELU 20 rows batch 20 zeros': {
    why: "tfjs sums the output bias's balanced ±1/20 gradients to 2⁻²⁷ where torch's order (and the dense engine's) gives exactly 0; RMSprop divides that by its own size into lr-sized steps while torch never moves",
    // 2.2e-1 on 2026-11-28: twice that is a new fault, not this one
    ceiling: 0.44,
  },
}

const BATCH_NORMS: { name: LossName; optimizer: Record<string, unknown>; layer: Record<string, unknown>; activation: ActivationName }[] = [
  { name: 'MSELoss', optimizer: OPTIMIZER_SETTINGS[2], layer: {}, activation: 'ReLU' },
  { name: 'HuberLoss', optimizer: OPTIMIZER_SETTINGS[1], layer: { eps: 1e-3, momentum: 0.3 }, activation: 'Tanh' },
  { name: 'SmoothL1Loss', optimizer: OPTIMIZER_SETTINGS[3], layer: { affine: false }, activation: 'LeakyReLU' },
  { name: 'MSELoss', optimizer: OPTIMIZER_SETTINGS[0], layer: { trackRunningStats: false }, activation: 'GELU' },
]

interface Case {
  label: string
  /** the engines that declare this model; the others must refuse it with a sentence */
  engines: readonly EngineName[]
  loss: LossSpec
  optimizer: OptimizerSpec
  spec: ModelSpec
  rows: number
  batch: number
  zeroInit: boolean
  x: Float32Array
  y: Float32Array
  pth: string
}

const dir = mkdtempSync(join(tmpdir(), 'torchlab-sweep-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Setting {
  name: LossName
  raw: Record<string, unknown>
  hidden: LayerSpecInput[]
  shape: { rows: number; batch: number }
  zeroInit: boolean
  seed: number
  id: string
}

function makeCase({ name, raw, hidden, shape: { rows, batch }, zeroInit, seed, id }: Setting): Case {
  const next = float32Stream(seed)
  const task = LOSS_TABLE[name].task
  const layers = [{ kind: 'Linear', outFeatures: 4 }, ...hidden, { kind: 'Linear' }, ...(name === 'BCELoss' ? [activationLayer('Sigmoid')] : [])]
  const spec = resolveModel(modelArchSchema.parse({ kind: 'sequential', layers }), FEATURES, task === 'multiclass' ? CLASSES : 1)
  const x = Float32Array.from({ length: rows * FEATURES }, next)
  const y = Float32Array.from({ length: rows }, (_, r) => (task === 'regression' ? x[r * FEATURES] * 2 - x[r * FEATURES + 1] + next() * 0.3 : task === 'binary' ? r % 2 : r % CLASSES))
  const model = hidden.map(({ kind, ...args }) => (Object.keys(args).length ? `${kind}${JSON.stringify(args)}` : kind)).join(' ')
  const label = `${name} ${JSON.stringify(raw)} ${model} ${rows} rows batch ${batch}${zeroInit ? ' zeros' : ''}`
  const engines = ENGINES.filter((e) => e === 'dense' || tfjsRefusal(spec) === null)
  return { label, engines, loss: { name, ...lossDefaults(), ...LOSS_ARGS[name] }, optimizer: optimizerSetting(raw), spec, rows, batch, zeroInit, x, y, pth: join(dir, `${id}.pth`) }
}

function cases(): Case[] {
  const everySetting = LOSSES.flatMap((name, i) =>
    OPTIMIZER_SETTINGS.map((raw, j) =>
      makeCase({ name, raw, hidden: [{ kind: ACTIVATIONS[(i + j) % ACTIVATIONS.length] }], shape: SHAPES[(i + j) % SHAPES.length], zeroInit: (i + j) % 2 === 1, seed: 100 * i + j + 1, id: `case${i}_${j}` }),
    ),
  )
  // BatchNorm1d (dense only), each of its arguments away from torch's default once, on whole-batch regression runs
  // with SGD: there float32 and float64 stay within 1e-6; with batches of 6 rows or adaptive optimizers they drift 0.1–0.2 apart
  const batchNorm = BATCH_NORMS.map(({ name, optimizer, layer, activation }, i) =>
    makeCase({ name, raw: optimizer, hidden: [{ kind: 'BatchNorm1d', ...layer }, { kind: activation }], shape: SHAPES[2], zeroInit: false, seed: 1000 + i, id: `batchnorm${i}` }),
  )
  return [...everySetting, ...batchNorm]
}

/**
 * torch's side: write every initial .pth, say so, then train every case in float32 and float64
 * side by side, noting the widest distance between the two at any epoch's end
 */
const SCRIPT = `
import copy
import torch
from torch import nn
models = []
for k, case in enumerate(INPUT):
    torch.manual_seed(k)
    model = nn.Sequential(*[getattr(nn, m['type'])(**m['kwargs']) for m in case['modules']])
    if case['zero']:
        with torch.no_grad():
            for p in model.parameters(): p.zero_()
    torch.save(model.state_dict(), case['pth'])
    models.append(model)
print(json.dumps('written'), flush=True)
def distance(a, b):
    return max(((p - q.to(p.dtype)).abs() / p.abs().clamp(min=1)).max().item() for p, q in zip(a.parameters(), b.parameters()))
out = []
for case, model in zip(INPUT, models):
    x = torch.tensor(case['x'], dtype=torch.float32).reshape(-1, case['features'])
    y = torch.tensor(case['y'], dtype=torch.float32)
    y = y.long() if case['loss'] == 'CrossEntropyLoss' else y.reshape(-1, 1)
    runs = []
    for dtype in (torch.float32, torch.float64):
        m = copy.deepcopy(model).to(dtype)
        xs = x.to(dtype)
        ys = y if y.dtype == torch.long else y.to(dtype)
        kwargs = dict(case['optimizer'])
        if 'betas' in kwargs: kwargs['betas'] = tuple(kwargs['betas'])
        batches = [(xs[s:s + case['batch']], ys[s:s + case['batch']]) for s in range(0, len(xs), case['batch'])]
        runs.append((m, getattr(torch.optim, case['name'])(m.parameters(), **kwargs), batches))
    loss_fn = getattr(nn, case['loss'])(**case['loss_kwargs'])
    widest = 0
    for epoch in range(case['epochs']):
        for m, opt, batches in runs:
            for xb, yb in batches:
                opt.zero_grad()
                loss_fn(m(xb), yb).backward()
                opt.step()
        widest = max(widest, distance(runs[0][0], runs[1][0]))
    final = [{k: v.reshape(-1).tolist() for k, v in m.state_dict().items()} for m, _, _ in runs]
    out.append({'f32': final[0], 'f64': final[1], 'widest': widest})
print(json.dumps(out), flush=True)
`

type Weights = Record<string, number[]>

/** TorchLab's run of one case on one engine, from the .pth torch wrote */
async function trainOurs(c: Case, engine: EngineName): Promise<Weights> {
  const start = await startingPointFromFile(c.pth, stateDictShapes(c.spec), c.optimizer)
  expect(start.optimizer).toBeUndefined()
  const run = await createEngine({ model: c.spec, loss: c.loss, optimizer: c.optimizer, initial: start.initial, seed: 0 }, engine, 'auto')
  try {
    expect(run.info.engine).toBe(engine)
    run.train()
    for (let e = 0; e < EPOCHS; e++) {
      for (let s = 0; s < c.rows; s += c.batch) {
        const n = Math.min(c.batch, c.rows - s)
        run.trainStep(c.x.subarray(s * FEATURES, (s + n) * FEATURES), c.y.subarray(s, s + n), n)
      }
    }
    return Object.fromEntries(run.stateDict().map((t) => [t.name, Array.from(t.data)]))
  } finally {
    run.dispose()
  }
}

/** the largest difference between two state_dicts, relative to 1 or to the weight where larger */
function distance(a: Weights, b: Weights): number {
  expect(Object.keys(a)).toEqual(Object.keys(b))
  let worst = 0
  for (const [name, values] of Object.entries(b)) values.forEach((v, i) => (worst = Math.max(worst, Math.abs(a[name][i] - v) / Math.max(1, Math.abs(v)))))
  return worst
}

describe('parity sweep: every loss × optimizer setting × activation, both engines against torch 1.13', () => {
  it(`${LOSSES.length * OPTIMIZER_SETTINGS.length} runs (and ${BATCH_NORMS.length} with BatchNorm1d) of ${EPOCHS} epochs from torch's .pth end on torch's weights`, async () => {
    const all = cases()
    for (const c of all) if (!c.engines.includes('tfjs')) expect(tfjsRefusal(c.spec), c.label).toMatch(/^The tfjs engine runs Linear layers and activations only, not BatchNorm1d \(layer 1\); the dense engine runs every layer\.$/)
    const torch = pythonLines(
      SCRIPT,
      all.map((c) => ({
        modules: torchModules(c.spec),
        zero: c.zeroInit,
        pth: c.pth,
        x: Array.from(c.x),
        y: Array.from(c.y),
        features: FEATURES,
        loss: c.loss.name,
        loss_kwargs: Object.fromEntries(LOSS_TABLE[c.loss.name].args.map((a) => [a.torch, (c.loss as unknown as Record<string, number>)[a.key]])),
        name: c.optimizer.name,
        optimizer: torchOptimizerKwargs(c.optimizer),
        batch: c.batch,
        epochs: EPOCHS,
      })),
    )
    expect((await torch.next()).value).toBe('written')
    const started = performance.now()
    const spent: string[] = []
    const ours: Partial<Record<EngineName, Weights>>[] = all.map(() => ({}))
    for (const e of ENGINES) {
      const [t0, cpu0] = [performance.now(), process.cpuUsage()]
      for (const [k, c] of all.entries()) if (c.engines.includes(e)) ours[k][e] = await trainOurs(c, e)
      spent.push(`${e} ${((performance.now() - t0) / 1000).toFixed(1)} s (${(process.cpuUsage(cpu0).user / 1e6).toFixed(1)} s CPU)`)
    }
    const references = (await torch.next()).value as { f32: Weights; f64: Weights; widest: number }[]
    const timing = `TorchLab ${spent.join(', ')}; torch (float32 and float64, alongside) done after ${((performance.now() - started) / 1000).toFixed(1)} s; load ${loadavg()[0].toFixed(1)}`

    const report: string[] = []
    const failures: string[] = []
    all.forEach((c, k) => {
      const { f32, f64, widest } = references[k]
      const drift = distance(f32, f64)
      const line = c.engines.map((e) => {
        const err = distance(ours[k][e]!, f32)
        const gap = OPEN_GAPS[`${e} ${c.label}`]
        const tolerance = Math.max(1e-5, widest)
        if (!gap && err > tolerance) failures.push(`${e} ${c.label}: off by ${err.toExponential(2)}, torch float32 vs float64 ${drift.toExponential(2)} at the end, ${widest.toExponential(2)} at most`)
        // a listed gap is held to its size: closed, its entry must go; grown, it is another fault
        if (gap && err <= tolerance) failures.push(`${e} ${c.label}: off by only ${err.toExponential(2)}, within ${tolerance.toExponential(2)}: the open gap is closed, remove it from OPEN_GAPS`)
        if (gap && err >= gap.ceiling) failures.push(`${e} ${c.label}: off by ${err.toExponential(2)}, above the open gap's ${gap.ceiling}`)
        return `${e} ${err.toExponential(1)}${gap ? ` (open: ${gap.why})` : ''}`
      })
      report.push(`${c.label}: ${line.join(', ')} (torch f32 vs f64 ${drift.toExponential(1)}, at most ${widest.toExponential(1)})`)
    })
    console.log(`${timing}\n${report.join('\n')}`)
    expect(failures).toEqual([])
  }, 600_000)
})
