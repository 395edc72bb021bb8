/**
 * A seeded random sweep against torch 1.13: runs drawn from everything TorchLab accepts
 * (fuzzCases.ts) trained by the real LabService, as the CLI and the window train them, and by
 * torch from the same initial weights, on the same training rows in the same batch order. Each
 * run must end on torch's weights and give torch's loss at every epoch (training and
 * validation), or be refused by both with a sentence.
 *
 * The rule is the parity sweep's (sweep.test.ts): within 1e-5 relative to 1, or within torch
 * float32's own widest distance to the same run in float64. CI runs a fixed sample;
 * FUZZ_COUNT=300 FUZZ_SEED=n runs a wider one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/main/lab/data/csv'
import { prepareData } from '../../src/main/lab/data/dataset'
import { tfjsRefusal } from '../../src/main/lab/engine/tfjs/support'
import { initialStateDict } from '../../src/main/lab/model/init'
import { stateDictToJson } from '../../src/main/lab/model/stateDict'
import type { RunSummary } from '../../src/shared/api'
import { LOSS_TABLE, outputCount } from '../../src/shared/catalog/losses'
import { resolveModel } from '../../src/shared/modelSpec'
import { datasetSpecSchema, modelArchSchema, trainConfigSchema, type ModelSpec, type TrainRequestInput } from '../../src/shared/schemas'
import { createService } from '../helpers/lab'
import { torchTrainMany, type TorchSweepResult, type TorchSweepRun } from '../helpers/python'
import { torchModules } from '../helpers/torchModules'
import { fuzzCase, type FuzzCase } from './fuzzCases'
import type { EngineName } from './harness'
import { torchInitialFiles } from './torchReference'

const SEED = Number(process.env.FUZZ_SEED ?? 18)
const COUNT = Number(process.env.FUZZ_COUNT ?? 40)
/** FUZZ_ONLY=3,17: rerun these cases of the draw alone; FUZZ_DUMP=file: write torch's runs there, and keep their files, to rerun torch alone */
const ONLY = process.env.FUZZ_ONLY?.split(',').map(Number)

const dir = mkdtempSync(join(tmpdir(), 'torchlab-fuzz-'))
const service = createService()
afterAll(() => {
  service.dispose()
  if (!process.env.FUZZ_DUMP) rmSync(dir, { recursive: true, force: true })
})

interface Prepared {
  c: FuzzCase
  spec: ModelSpec
  request: TrainRequestInput
  engines: EngineName[]
  /** what torch trains; absent where TorchLab's own data preparation refuses the run */
  torch?: TorchSweepRun
  label: string
}

/** the training and validation rows TorchLab takes, in its order, read through its own preparation of the row column */
function rowsOf(c: FuzzCase, csvPath: string): { rows: number[]; val_rows: number[] } {
  const loss = c.request.train.loss ?? 'MSELoss'
  const data = prepareData(parseCsv(c.csv, {}), datasetSpecSchema.parse({ ...c.request.dataset, source: { kind: 'file', path: csvPath }, features: ['row'], scale: 'none' }), loss)
  return { rows: Array.from(data.train.x), val_rows: Array.from(data.val.x) }
}

function prepare(c: FuzzCase): Prepared {
  const csvPath = join(dir, `case${c.index}.csv`)
  writeFileSync(csvPath, c.csv)
  const train = trainConfigSchema.parse(c.request.train)
  const outputs = outputCount(train.loss, c.classes)
  const spec = resolveModel(modelArchSchema.parse(c.request.model), c.features.length, outputs)
  const pth = join(dir, `case${c.index}.pth`)
  const request: TrainRequestInput = { ...c.request, dataset: { ...c.request.dataset, source: { kind: 'file', path: csvPath } }, ...(c.start === 'seed' ? {} : { initFrom: pth }) }
  const engines: EngineName[] = c.index % 4 === 0 && tfjsRefusal(spec) === null ? ['dense', 'tfjs'] : ['dense']
  const label = `#${c.index} ${JSON.stringify({ dataset: { ...c.request.dataset, source: undefined }, model: c.request.model, train: c.request.train })} from ${c.start}`
  let split: { rows: number[]; val_rows: number[] }
  try {
    split = rowsOf(c, csvPath)
  } catch {
    return { c, spec, request, engines, label }
  }
  const torch: TorchSweepRun = {
    csv: csvPath,
    features: c.features,
    target: 't',
    scale: c.request.dataset.scale ?? 'none',
    model: spec.kind === 'linear' ? { kind: 'linear' } : { kind: 'sequential', modules: torchModules(spec) },
    outputs,
    loss: train.loss,
    loss_kwargs: Object.fromEntries(LOSS_TABLE[train.loss].args.map((a) => [a.torch, (train as unknown as Record<string, number>)[a.key]])),
    optimizer: train.optimizer,
    epochs: train.epochs,
    batch_size: train.batchSize,
    drop_last: train.dropLast,
    ...split,
    ...(c.start === 'seed' ? { init: stateDictToJson(initialStateDict(spec, train.seed)) } : { init_pth: pth }),
    float64: true,
  }
  return { c, spec, request, engines, torch, label }
}

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])

/** the largest difference between two state_dicts, relative to 1 or to torch's value where larger */
function distance(ours: Record<string, unknown>, torch: Record<string, unknown>): number {
  expect(Object.keys(ours)).toEqual(Object.keys(torch))
  let worst = 0
  for (const [name, values] of Object.entries(torch)) {
    const a = flat(ours[name])
    for (const [i, v] of flat(values).entries()) {
      // a NaN on either side (torch's arrives as null) is as far off as can be, never a pass
      const d = v === null ? Infinity : Math.abs(a[i] - v) / Math.max(1, Math.abs(v))
      worst = Number.isNaN(d) ? Infinity : Math.max(worst, d)
    }
  }
  return worst
}

function seriesDistance(ours: number[], torch: (number | null)[]): number {
  if (ours.length !== torch.length) return Infinity
  const worst = Math.max(0, ...torch.map((v, i) => (v === null ? Infinity : Math.abs(ours[i] - v) / Math.max(1, Math.abs(v)))))
  return Number.isNaN(worst) ? Infinity : worst
}

async function trainOurs(request: TrainRequestInput, engine: EngineName): Promise<RunSummary | { refused: string }> {
  try {
    const { runId } = await service.startTraining({ ...request, engine })
    return await service.waitForRun(runId)
  } catch (err) {
    return { refused: (err as Error).message }
  }
}

/**
 * TorchLab rounds differently from torch as torch's twins round differently from torch: two
 * sources of noise, not one. Measured on the ill-conditioned runs of seeds 1 and 2 (300 each),
 * TorchLab's distance came to 1.0–1.7 times the twins' widest, and torch's own AVX2 run against
 * its unvectorised run (ATEN_CPU_CAPABILITY=default) to 0.5–1.5 times.
 */
const NOISE_FACTOR = 2

/**
 * Known, explained differences, by seed, case and engine: listed, not hidden, each held to a
 * ceiling (twice its size when found), so a closed one must leave the list and a grown one fails.
 */
const OPEN_GAPS: Record<string, { why: string; ceiling: number }> = {
  '18 #4 tfjs': { why: 'tfjs computes Softplus and GELU with its own roundings (the dense engine now computes them as torch does, and ends within the rule)', ceiling: 1.05e-4 },
  '29 #16 tfjs': {
    why: "tfjs only, not traced: Linear(3), ReLU, Linear from zeros with L1Loss and AdamW (beta2 0.9999) on batches of 6. From zeros only the output bias moves (torch's float32 and float64 runs agree exactly); it walks to the targets' median, where L1's ±1/n gradients balance. The shape of the sweep's listed tfjs gap: tfjs sums balanced ±1/n in its own order to a rounding error where torch gets 0, and an adaptive optimizer makes that an lr-sized step. The dense engine ends on torch's weights",
    // 3.13e-1 on 2026-11-29
    ceiling: 6.3e-1,
  },
  '31 #96 tfjs': {
    why: "tfjs only, not traced: a single Linear from zeros, HuberLoss(delta 0.1), SGD with momentum 0.99 and weight decay 0.3, unscaled features; tfjs takes HuberLoss's gradient with its own ops and roundings, and momentum 0.99 carries each difference on. The dense engine ends on torch's weights",
    // 4.32e-1 on 2026-11-29, where the rule allows 1.13e-1
    ceiling: 8.7e-1,
  },
}

/** what went wrong with one engine's run, or undefined where it matches torch */
function judge(p: Prepared, engine: EngineName, ours: RunSummary | { refused: string }, torch: TorchSweepResult | undefined): string | undefined {
  const refusal = 'refused' in ours ? ours.refused : ours.status === 'failed' ? (ours.error?.message ?? 'failed without a message') : undefined
  if (!torch || 'error' in torch) {
    // torch's BCELoss raises on the NaN of weights that blew up (seed 7, cases 144 and 158: centered RMSprop with alpha 0
    // takes the square root of a rounding error below 0); TorchLab stops such a run as diverged, with its sentence
    const diverged = 'status' in ours && ours.status === 'diverged' ? ours.divergence : undefined
    // or torch's loss went NaN at the very step TorchLab stopped, and torch refused the run only later (seed 29, case 31:
    // centered RMSprop with alpha 0 again, then BatchNorm1d's batch of one row at the end of the epoch)
    const sameBlowUp = torch && 'error' in torch && torch.blew_up_at?.epoch === diverged?.epoch && torch.blew_up_at?.step === diverged?.step
    const blewUp = torch && 'error' in torch && diverged !== undefined && (/all elements of input should be between 0 and 1/.test(torch.error) || sameBlowUp)
    if (refusal === undefined && !blewUp) return `TorchLab trained a run torch refuses (${torch && 'error' in torch ? torch.error : 'TorchLab refused it at preparation'})`
    if (blewUp || refusal === undefined) return undefined
    if (/Something went wrong|Error:|at .*\.ts/.test(refusal)) return `refused without a sentence: ${refusal}`
    return undefined
  }
  if (refusal !== undefined) return `TorchLab refused a run torch trains: ${refusal}`
  const run = ours as RunSummary
  if (run.status === 'diverged') {
    const blewUp = torch.losses.some((l) => l === null || Math.abs(l) > 1e6)
    return blewUp ? undefined : `TorchLab stopped the run as diverged (${run.divergence?.message}) where torch's losses stay finite`
  }
  const weights = distance(run.stateDict, torch.state_dict)
  const losses = seriesDistance(run.lossHistory, torch.losses)
  const valLosses = seriesDistance(run.valLossHistory, torch.val_losses)
  const tolerance = Math.max(1e-5, NOISE_FACTOR * (torch.widest ?? 0))
  const lossTolerance = Math.max(1e-5, NOISE_FACTOR * (torch.losses_widest ?? 0), tolerance)
  const gap = OPEN_GAPS[`${SEED} #${p.c.index} ${engine}`]
  const within = weights <= tolerance && losses <= lossTolerance && valLosses <= lossTolerance
  if (gap && within) return `within the rule (weights off by ${weights.toExponential(2)}): the open gap is closed, remove it from OPEN_GAPS`
  if (gap && weights >= gap.ceiling) return `weights off by ${weights.toExponential(2)}, above the open gap's ${gap.ceiling}`
  if (gap) {
    console.log(`${engine} ${p.label}: open gap, weights off by ${weights.toExponential(2)} (${gap.why})`)
    return undefined
  }
  if (!within) {
    return `weights off by ${weights.toExponential(2)}, epoch losses by ${losses.toExponential(2)}, validation losses by ${valLosses.toExponential(2)}; torch float32 vs float64 at most ${(torch.widest ?? 0).toExponential(2)} (losses ${(torch.losses_widest ?? 0).toExponential(2)})`
  }
  return undefined
}

describe('random sweep against torch 1.13', () => {
  it(`${ONLY?.length ?? COUNT} runs drawn from seed ${SEED} train as torch trains them, or are refused by both`, async () => {
    const all = (ONLY ?? Array.from({ length: COUNT }, (_, i) => i)).map((i) => prepare(fuzzCase(SEED, i)))
    const written = all.filter((p) => p.c.start !== 'seed')
    await torchInitialFiles(written.map((p) => ({ seed: p.c.index, zero: p.c.start === 'zeros', pth: (p.request as { initFrom: string }).initFrom, spec: p.spec })))
    const torchRuns = all.filter((p) => p.torch)
    if (process.env.FUZZ_DUMP) writeFileSync(process.env.FUZZ_DUMP, JSON.stringify(torchRuns.map((p) => ({ ...p.torch, index: p.c.index, ours: undefined }))))
    const collected: Promise<TorchSweepResult[]> = (async () => {
      const out: TorchSweepResult[] = []
      for await (const r of torchTrainMany(torchRuns.map((p) => p.torch!))) out.push(r)
      return out
    })()
    const started = performance.now()
    const ours: Awaited<ReturnType<typeof trainOurs>>[][] = []
    for (const p of all) ours.push(await Promise.all(p.engines.map((e) => trainOurs(p.request, e))))
    const oursSeconds = (performance.now() - started) / 1000
    if (process.env.FUZZ_DUMP) writeFileSync(`${process.env.FUZZ_DUMP}.ours.json`, JSON.stringify(ours.map((runs) => runs.map((r) => ('stateDict' in r ? r.stateDict : null)))))
    const results = await collected
    const byCase = new Map(torchRuns.map((p, k) => [p, results[k]]))

    const failures: string[] = []
    const counts = { trained: 0, refusedByBoth: 0, diverged: 0, openGaps: 0 }
    const refusals = new Set<string>()
    all.forEach((p, k) => {
      p.engines.forEach((engine, e) => {
        const run = ours[k][e]
        const torch = byCase.get(p)
        const problem = judge(p, engine, run, torch)
        if (problem) failures.push(`${engine} ${p.label}: ${problem}`)
        else if (OPEN_GAPS[`${SEED} #${p.c.index} ${engine}`]) counts.openGaps++
        else if ('refused' in run || run.status === 'failed') {
          counts.refusedByBoth++
          refusals.add('refused' in run ? run.refused : run.error!.message)
        }
        else if (run.status === 'diverged') counts.diverged++
        else counts.trained++
      })
    })
    console.log(
      `${all.length} cases from seed ${SEED}: ${counts.trained} engine runs equal torch's, ${counts.refusedByBoth} refused by both, ${counts.diverged} diverged in both, ${counts.openGaps} open gaps; ` +
        `TorchLab ${oursSeconds.toFixed(1)} s, torch done after ${((performance.now() - started) / 1000).toFixed(1)} s; load ${loadavg()[0].toFixed(1)}`,
    )
    console.log(`TorchLab's refusals:\n${[...refusals].join('\n')}`)
    if (failures.length) console.log(failures.join('\n'))
    expect(failures).toEqual([])
  }, 600_000)
})
