/**
 * npm run bench — TorchLab against real PyTorch on this machine, in the same run:
 * the course loop (cars, batch 2, 1000 epochs), the same run full-batch, the course grid
 * search against skorch + GridSearchCV, and how fast a running training answers pause,
 * resume and stop. Prints a table of medians and ratios.
 */
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type { LabEvent } from '../src/shared/api'
import type { TrainRequestInput } from '../src/shared/schemas'
import { LabService } from '../src/main/lab/service'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'

const ROOT = resolve(import.meta.dirname, '..')
const REPEATS = 3
const EPOCHS = 1000
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

type EngineRun = { engine: 'dense' } | { engine: 'tfjs'; backend: 'cpu' | 'wasm' }
const ENGINE_RUNS: EngineRun[] = [{ engine: 'dense' }, { engine: 'tfjs', backend: 'cpu' }, { engine: 'tfjs', backend: 'wasm' }]
const label = (e: EngineRun) => (e.engine === 'dense' ? 'dense' : `tfjs ${e.backend}`)

const course = (batchSize: number, engine: EngineRun): TrainRequestInput => ({
  dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' },
  train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: EPOCHS, batchSize },
  ...engine,
})

async function torchTimes(): Promise<{ slicing: number; dataloader: number; full_batch: number }> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(ROOT, 'bench/torch_course.py'), join(ROOT, 'resources/datasets/cars.csv'), String(EPOCHS), String(REPEATS)], {
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  })
  return JSON.parse(stdout)
}

async function skorchGrid(): Promise<{ seconds: number; best_params: unknown; best_score: number }> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(ROOT, 'bench/skorch_grid.py'), join(ROOT, 'resources/datasets/cars.csv'), String(REPEATS)], {
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  })
  return JSON.parse(stdout)
}

/** the course grid (lr × epochs, cv 3, r2, batch 128 shuffled) through the LabService, wall time */
async function labGrid(service: LabService): Promise<{ seconds: number; best: unknown; score: number | null }> {
  const times: number[] = []
  let last
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now()
    const { searchId } = await service.startSearch({
      dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
      model: { kind: 'linear' },
      train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 10 },
      grid: { lr: [0.02, 0.05, 0.08], epochs: [10, 200, 500] },
      cv: 3,
    })
    last = await service.waitForSearch(searchId)
    times.push((performance.now() - started) / 1000)
  }
  return { seconds: median(times), best: last!.bestParams, score: last!.bestScore }
}

async function labSeconds(service: LabService, request: TrainRequestInput): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < REPEATS; i++) {
    const { runId } = await service.startTraining(request)
    const summary = await service.waitForRun(runId)
    if (summary.status !== 'completed') throw new Error(`bench run ended ${summary.status}: ${summary.error?.message}`)
    times.push(summary.seconds)
  }
  return median(times)
}

/** Time from cancelSearch to the partial table in hand, with fits in flight. */
async function cancelLatency(service: LabService): Promise<number> {
  const { searchId } = await service.startSearch({
    dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
    model: { kind: 'linear' },
    train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 20000 },
    grid: { lr: [0.01, 0.02, 0.03, 0.04] },
  })
  await new Promise((r) => setTimeout(r, 1000))
  const started = performance.now()
  await service.cancelSearch(searchId)
  return performance.now() - started
}

/** Time from a control call to the worker's first event that reflects it. */
async function controlLatency(service: LabService): Promise<Record<string, number>> {
  const { runId } = await service.startTraining({ ...course(2, { engine: 'dense' }), train: { ...course(2, { engine: 'dense' }).train, epochs: 10_000_000 } })
  const next = (predicate: (e: LabEvent) => boolean) =>
    new Promise<number>((resolveTime) => {
      const off = service.onEvent((e) => {
        if ('runId' in e && e.runId === runId && predicate(e)) {
          off()
          resolveTime(performance.now())
        }
      })
    })
  await next((e) => e.type === 'progress' && e.step > 1000)
  const samples: Record<string, number[]> = { pause: [], resume: [], stop: [] }
  for (let i = 0; i < 5; i++) {
    let t = performance.now()
    const paused = next((e) => e.type === 'progress' && e.status === 'paused')
    await service.controlRun({ runId, action: 'pause' })
    samples.pause.push((await paused) - t)
    t = performance.now()
    const resumed = next((e) => e.type === 'progress' && e.status === 'running')
    await service.controlRun({ runId, action: 'resume' })
    samples.resume.push((await resumed) - t)
  }
  const t = performance.now()
  await service.controlRun({ runId, action: 'stop' })
  await service.waitForRun(runId)
  samples.stop.push(performance.now() - t)
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Math.max(...v)]))
}

const service = new LabService({ resourcesDir: join(ROOT, 'resources'), settingsDir: mkdtempSync(join(tmpdir(), 'torchlab-bench-')) })
try {
  const torch = await torchTimes()
  const rows: [string, number, number][] = []
  for (const engine of ENGINE_RUNS) {
    const seconds = await labSeconds(service, course(2, engine))
    rows.push([`course loop, batch 2 (${label(engine)}) vs torch slicing`, seconds, torch.slicing])
    rows.push([`course loop, batch 2 (${label(engine)}) vs torch DataLoader`, seconds, torch.dataloader])
    rows.push([`full batch, 1000 epochs (${label(engine)})`, await labSeconds(service, course(32, engine)), torch.full_batch])
  }
  const [ours, skorch] = [await labGrid(service), await skorchGrid()]
  rows.push(['course grid search 3×3, cv 3 (vs skorch + GridSearchCV)', ours.seconds, skorch.seconds])
  console.log(`\nTorchLab vs PyTorch ${REPEATS}× median, seconds (ratio < 1: TorchLab faster)\n`)
  console.log('workload'.padEnd(62) + 'TorchLab'.padStart(10) + 'PyTorch'.padStart(10) + 'ratio'.padStart(8))
  for (const [name, a, b] of rows) console.log(name.padEnd(62) + a.toFixed(3).padStart(10) + b.toFixed(3).padStart(10) + (a / b).toFixed(2).padStart(8))
  console.log(`\ngrid search best: TorchLab ${JSON.stringify(ours.best)} r2 ${ours.score?.toFixed(4)}; skorch ${JSON.stringify(skorch.best_params)} r2 ${skorch.best_score.toFixed(4)}`)
  console.log(`search cancel: answered in ${(await cancelLatency(service)).toFixed(1)} ms while fits were running`)
  const latency = await controlLatency(service)
  console.log(`\ncontrol latency while training (worst of 5, ms): ${Object.entries(latency).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`)
} finally {
  service.dispose()
}
