/**
 * A seeded sweep step by step against torch 1.13: configurations drawn from everything TorchLab
 * accepts (stepCases.ts) run through the real LabService twice, as `lab step` (every step's loss
 * and state_dict) and as `lab train` (the final weights, every epoch's loss and, in eval mode, its
 * validation loss), and in torch (stepReference.py) on TorchLab's own prepared rows from the same
 * initial weights: TorchLab's seeded init, or a .pth torch wrote with its own init or zeros.
 *
 * Dropout with p > 0 cannot meet torch's generator: torch is given TorchLab's masks instead,
 * drawn here from the run's seed as the dense engine draws them (one stream, each Dropout layer's
 * n·k values in forward order, every training step), so everything but the draw itself is
 * compared. The rule is the random sweep's (fuzz.test.ts): within 1e-5 relative to 1, or twice
 * the spread of torch's own twins up to that step. STEP_COUNT=300 STEP_SEED=n runs a wider draw,
 * STEP_LOSS=ce one loss's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/main/lab/data/csv'
import { prepareData } from '../../src/main/lab/data/dataset'
import { createRng, STREAM } from '../../src/main/lab/data/rng'
import { initialStateDict } from '../../src/main/lab/model/init'
import { stateDictToJson } from '../../src/main/lab/model/stateDict'
import type { RunSummary } from '../../src/shared/api'
import { findLoss, LOSS_TABLE } from '../../src/shared/catalog/losses'
import type { StepTrace } from '../../src/shared/learning'
import { placeLayers, resolveModel } from '../../src/shared/modelSpec'
import { datasetSpecSchema, modelArchSchema, trainConfigSchema, type ModelSpec, type TrainRequestInput } from '../../src/shared/schemas'
import { createService } from '../helpers/lab'
import { pythonFile } from '../helpers/python'
import { torchModules } from '../helpers/torchModules'
import { stepCase, type StepCase } from './stepCases'
import { torchInitialFiles } from './torchReference'

const SEED = Number(process.env.STEP_SEED ?? 5)
const COUNT = Number(process.env.STEP_COUNT ?? 40)
const ONLY = process.env.STEP_ONLY?.split(',').map(Number)
/** STEP_LOSS=ce (or any loss's name): every configuration trains that loss, the rest drawn as usual */
const ONLY_LOSS = process.env.STEP_LOSS === undefined ? undefined : (findLoss(process.env.STEP_LOSS) ?? expect.unreachable(`STEP_LOSS=${process.env.STEP_LOSS} names no loss`))
const NOISE_FACTOR = 2

const dir = mkdtempSync(join(tmpdir(), 'torchlab-steps-'))
const service = createService()
afterAll(() => {
  service.dispose()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * Known, explained differences of the wide runs, by seed and case: listed, not hidden. A listed case
 * that comes out within the rule fails too, so a closed gap leaves the list.
 */
const OPEN_GAPS: Record<string, string> = {}

type StateJson = Record<string, unknown>
interface TorchSteps {
  index: number
  error?: string
  val_error?: string
  losses: (number | null)[]
  states: StateJson[]
  val_losses: (number | null)[]
  widest: number[]
  loss_widest: number[]
}

interface Prepared {
  c: StepCase
  /** every step of the run's epochs, counted on TorchLab's own training split */
  steps: number
  request: TrainRequestInput
  spec: ModelSpec
  /** what torch trains; absent where TorchLab's own preparation refuses the run */
  torch?: Record<string, unknown>
  label: string
}

/** TorchLab's Dropout masks for every training step, as the dense engine draws them */
function dropoutMasks(spec: ModelSpec, seed: number, batches: number[], epochs: number): number[][] {
  const dropouts = placeLayers(spec).flatMap(({ layer, inFeatures }) => (layer.kind === 'Dropout' && layer.p > 0 ? [{ p: layer.p, k: inFeatures }] : []))
  const rng = createRng(seed, STREAM.dropout)
  const masks: number[][] = []
  for (let e = 0; e < epochs; e++) {
    for (const n of batches) {
      for (const { p, k } of dropouts) masks.push(Array.from({ length: n * k }, () => (rng() < p ? 0 : Math.fround(1 / (1 - p)))))
    }
  }
  return masks
}

function prepare(c: StepCase): Prepared {
  const csvPath = join(dir, `case${c.index}.csv`)
  writeFileSync(csvPath, c.csv)
  const pth = join(dir, `case${c.index}.pth`)
  const request: TrainRequestInput = { ...c.request, dataset: { ...c.request.dataset, source: { kind: 'file', path: csvPath } }, ...(c.start === 'seed' ? {} : { initFrom: pth }) }
  const label = `#${c.index} ${JSON.stringify({ dataset: { ...c.request.dataset, source: undefined }, model: c.request.model, train: c.request.train })} from ${c.start}, ${c.steps} steps`
  const loss = c.request.train.loss ?? 'MSELoss'
  const outputs = loss === 'CrossEntropyLoss' ? c.classes : 1
  const spec = resolveModel(modelArchSchema.parse(c.request.model), c.features.length, outputs)
  if (c.maximize) return { c, steps: c.steps, request, spec, label }
  const train = trainConfigSchema.parse(c.request.train)
  let data
  try {
    data = prepareData(parseCsv(c.csv, {}), datasetSpecSchema.parse(request.dataset), loss)
  } catch {
    return { c, steps: c.steps, request, spec, label }
  }
  const n = data.train.n
  const starts = Array.from({ length: Math.ceil(n / train.batchSize) }, (_, i) => i * train.batchSize).filter((s) => !(train.dropLast && s + train.batchSize > n))
  const batches = starts.map((s) => Math.min(train.batchSize, n - s))
  const torch = {
    index: c.index,
    in: spec.inFeatures,
    outputs: spec.outFeatures,
    modules: spec.kind === 'linear' ? null : torchModules(spec),
    x: Array.from(data.train.x),
    y: Array.from(data.train.y),
    n,
    val_x: Array.from(data.val.x),
    val_y: Array.from(data.val.y),
    val_n: data.val.n,
    loss,
    loss_kwargs: Object.fromEntries(LOSS_TABLE[train.loss].args.map((a) => [a.torch, (train as unknown as Record<string, number>)[a.key]])),
    optimizer: train.optimizer,
    batch_size: train.batchSize,
    drop_last: train.dropLast,
    epochs: train.epochs,
    masks: dropoutMasks(spec, train.seed, batches, train.epochs),
    ...(c.start === 'seed' ? { init: stateDictToJson(initialStateDict(spec, train.seed)) } : { init_pth: pth }),
  }
  return { c, steps: batches.length * train.epochs, request, spec, torch, label }
}

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])

/** the largest difference between two state_dicts, relative to 1 or to torch's value where larger; Infinity for a NaN on one side */
function distance(ours: StateJson, torch: StateJson): number {
  if (Object.keys(ours).join() !== Object.keys(torch).join()) return Infinity
  let worst = 0
  for (const [name, values] of Object.entries(torch)) {
    const a = flat(ours[name])
    for (const [i, v] of flat(values).entries()) {
      // torch's NaN arrives as null: equal only to a NaN of TorchLab's
      const d = v === null ? (Number.isNaN(a[i]) ? 0 : Infinity) : Math.abs(a[i] - v) / Math.max(1, Math.abs(v))
      worst = Number.isNaN(d) ? Infinity : Math.max(worst, d)
    }
  }
  return worst
}

const gap = (a: number, b: number | null) => (b === null || !Number.isFinite(a) ? Infinity : Math.abs(a - b) / Math.max(1, Math.abs(b)))
const sameBits = (ours: StateJson, torch: StateJson) => distance(ours, torch) === 0

type Outcome = { trace: StepTrace } | { refused: string }
async function settle<T>(work: Promise<T>): Promise<T | { refused: string }> {
  try {
    return await work
  } catch (err) {
    return { refused: (err as Error).message }
  }
}

interface Tally {
  steps: number
  bitwiseLosses: number
  bitwiseStates: number
  runs: number
  refusedByBoth: number
  blewUpInBoth: number
  refusals: Set<string>
}

/** what went wrong, or undefined where TorchLab steps and trains as torch does */
function judge(p: Prepared, step: Outcome, run: RunSummary | { refused: string }, torch: TorchSteps | undefined, tally: Tally): string | undefined {
  const sentence = (message: string) => (/Something went wrong|Error:|at .*\.ts/.test(message) ? `refused without a sentence: ${message}` : undefined)
  if (p.c.maximize) {
    for (const outcome of [step, run]) {
      if (!('refused' in outcome)) return 'TorchLab took maximize=True, which it cannot follow'
      if (!/maximize/.test(outcome.refused)) return `refused maximize=True without naming it: ${outcome.refused}`
      tally.refusals.add(outcome.refused)
    }
    tally.refusedByBoth++
    return undefined
  }
  const runRefusal = 'refused' in run ? run.refused : run.status === 'failed' ? (run.error?.message ?? 'failed without a message') : undefined
  const stopped = (outcome: Outcome) => 'trace' in outcome && /The loss became (NaN|infinite)/.test(outcome.trace.stopped ?? '')
  if (torch?.error && /all elements of input should be between 0 and 1/.test(torch.error) && stopped(step) && 'status' in run && run.status === 'diverged') {
    // torch's BCELoss raises on the NaN of weights that blew up (centered RMSprop with alpha 0: the square root of a rounding error below 0); TorchLab stops
    tally.blewUpInBoth++
    return undefined
  }
  if (!torch || torch.error) {
    if ('refused' in step && runRefusal !== undefined) {
      tally.refusedByBoth++
      tally.refusals.add(step.refused).add(runRefusal)
      return sentence(step.refused) ?? sentence(runRefusal)
    }
    return `torch refuses the run (${torch?.error ?? 'TorchLab refused it at preparation'}) and TorchLab ${'refused' in step ? 'trains it' : 'steps it'}`
  }
  if ('refused' in step) return `TorchLab refused to step a run torch trains: ${step.refused}`
  if (runRefusal !== undefined && torch.val_error === undefined) return `TorchLab refused to train a run torch trains: ${runRefusal}`
  const { trace } = step
  const summary = run as RunSummary
  const trainChecked = torch.val_error === undefined && summary.status !== 'diverged'
  if (torch.val_error !== undefined && runRefusal === undefined) return `torch refuses the validation pass (${torch.val_error}) and lab train does not`
  if (torch.val_error !== undefined) tally.refusals.add(runRefusal!)
  // TorchLab stops a run whose loss explodes or whose weights stop being finite; torch trains on
  const tornApart = torch.losses.some((l) => l === null || Math.abs(l) > 1e6) || torch.states.some((state) => flat(Object.values(state)).includes(null as unknown as number))
  if (summary.status === 'diverged' && !tornApart) return `lab train stopped as diverged (${summary.divergence?.message}) where torch's losses stay finite`
  const blowUp = torch.losses.findIndex((l) => l === null || !Number.isFinite(l))
  if (blowUp >= 0) {
    // torch's loss went NaN at this step: TorchLab stops there, both ways
    if (trace.steps.length !== blowUp || !trace.stopped) return `torch's loss went NaN at step ${blowUp + 1}; lab step recorded ${trace.steps.length} steps (${trace.stopped ?? 'not stopped'})`
    if (summary.status !== 'diverged' && torch.val_error === undefined) return `torch's loss went NaN at step ${blowUp + 1}; lab train ended ${summary.status}`
    tally.blewUpInBoth++
    return undefined
  }
  const problems: string[] = []
  if (trace.steps.length !== torch.losses.length) problems.push(`lab step recorded ${trace.steps.length} steps where torch took ${torch.losses.length} (${trace.stopped ?? ''})`)
  trace.steps.slice(0, torch.losses.length).forEach((s, i) => {
    const tolerance = Math.max(1e-5, NOISE_FACTOR * torch.widest[i])
    const lossTolerance = Math.max(tolerance, NOISE_FACTOR * torch.loss_widest[i])
    const lossOff = gap(s.loss, torch.losses[i])
    const weightsOff = distance(s.params, torch.states[i])
    tally.steps++
    if (s.loss === torch.losses[i]) tally.bitwiseLosses++
    if (sameBits(s.params, torch.states[i])) tally.bitwiseStates++
    if ((lossOff > lossTolerance || weightsOff > tolerance) && problems.length < 2) {
      const keys = Object.keys(torch.states[i]).filter((key) => distance({ [key]: s.params[key] }, { [key]: torch.states[i][key] }) > tolerance)
      problems.push(`lab step, step ${i + 1}: loss off by ${lossOff.toExponential(2)}, ${keys.join(' ')} by ${weightsOff.toExponential(2)} (twins ${torch.widest[i].toExponential(2)}, losses ${torch.loss_widest[i].toExponential(2)})`)
    }
  })
  if (!trainChecked) {
    if (problems.length) return problems.join('; ')
    tally.runs++
    return undefined
  }
  const last = torch.losses.length - 1
  const tolerance = Math.max(1e-5, NOISE_FACTOR * torch.widest[last])
  const finalOff = distance(summary.stateDict as unknown as StateJson, torch.states[last])
  if (finalOff > tolerance) problems.push(`lab train's weights off by ${finalOff.toExponential(2)} (twins ${torch.widest[last].toExponential(2)})`)
  const perEpoch = torch.losses.length / summary.lossHistory.length
  const epochLosses = summary.lossHistory.map((_, e) => torch.losses.slice(e * perEpoch, (e + 1) * perEpoch).reduce<number>((a, b) => a + (b ?? NaN), 0) / perEpoch)
  const lossTolerance = Math.max(tolerance, NOISE_FACTOR * torch.loss_widest[last])
  const epochOff = Math.max(0, ...summary.lossHistory.map((l, e) => gap(l, epochLosses[e])))
  const valOff = summary.valLossHistory.length === torch.val_losses.length ? Math.max(0, ...summary.valLossHistory.map((l, e) => gap(l, torch.val_losses[e]))) : Infinity
  if (epochOff > lossTolerance || valOff > lossTolerance) problems.push(`lab train's epoch losses off by ${epochOff.toExponential(2)}, validation losses (eval mode) by ${valOff.toExponential(2)}`)
  if (problems.length) return problems.join('; ')
  tally.runs++
  return undefined
}

describe('step-by-step sweep against torch 1.13', () => {
  it(`${ONLY?.length ?? COUNT} configurations drawn from seed ${SEED} step and train as torch does, or are refused by both with a sentence`, async () => {
    const all = (ONLY ?? Array.from({ length: COUNT }, (_, i) => i)).map((i) => prepare(stepCase(SEED, i, ONLY_LOSS)))
    await torchInitialFiles(all.filter((p) => p.c.start !== 'seed').map((p) => ({ seed: p.c.index, zero: p.c.start === 'zeros', pth: (p.request as { initFrom: string }).initFrom, spec: p.spec })))
    const started = performance.now()
    const torchRuns = all.filter((p) => p.torch)
    const torchDone = (async () => {
      const byIndex = new Map<number, TorchSteps>()
      for await (const r of pythonFile(new URL('./stepReference.py', import.meta.url).pathname, torchRuns.map((p) => p.torch))) byIndex.set((r as TorchSteps).index, r as TorchSteps)
      return byIndex
    })()
    const ours: [Outcome, RunSummary | { refused: string }][] = []
    for (const p of all) {
      const step = await settle(service.stepRun({ kind: 'module', request: { ...p.request, engine: 'dense' }, steps: p.steps }).then((trace) => ({ trace })))
      const run = await settle(service.startTraining({ ...p.request, engine: 'dense' }).then(({ runId }) => service.waitForRun(runId)))
      ours.push([step, run])
    }
    const oursSeconds = (performance.now() - started) / 1000
    const torch = await torchDone
    const tally: Tally = { steps: 0, bitwiseLosses: 0, bitwiseStates: 0, runs: 0, refusedByBoth: 0, blewUpInBoth: 0, refusals: new Set() }
    const failures: string[] = []
    let openGaps = 0
    all.forEach((p, k) => {
      const problem = judge(p, ours[k][0], ours[k][1], torch.get(p.c.index), tally)
      const gap = OPEN_GAPS[`${SEED} #${p.c.index}`]
      if (gap && !problem) failures.push(`${p.label}: within the rule, the open gap is closed: remove it from OPEN_GAPS`)
      else if (gap) {
        openGaps++
        console.log(`${p.label}: open gap (${problem}): ${gap}`)
      } else if (problem) failures.push(`${p.label}: ${problem}`)
    })
    console.log(
      `${all.length} configurations from seed ${SEED}: ${tally.runs} stepped and trained as torch (${tally.steps} steps: ${tally.bitwiseLosses} losses and ${tally.bitwiseStates} state_dicts bit for bit), ` +
        `${tally.refusedByBoth} refused by both, ${tally.blewUpInBoth} blew up in both, ${openGaps} open gaps, ${failures.length} failed; TorchLab ${oursSeconds.toFixed(1)} s, all ${((performance.now() - started) / 1000).toFixed(1)} s; load ${loadavg()[0].toFixed(1)}`,
    )
    console.log(`TorchLab's refusals:\n${[...tally.refusals].join('\n')}`)
    if (failures.length) console.log(failures.join('\n'))
    expect(failures).toEqual([])
  }, 600_000)
})
