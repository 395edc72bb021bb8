/**
 * npm run bench — TorchLab against PyTorch (and skorch, pandas) on this machine, in the same
 * run, one workload per process so each peak memory is its own. Prints times, ratios
 * (TorchLab / PyTorch: below 1 is faster) against the targets, then how fast a running
 * training answers pause, resume and stop, and a search its cancel.
 * BENCH_ONLY=mlp-100k,course-slicing runs just those rows (and skips the latency checks).
 *
 * Peak memory is the same measure on both sides: the kernel's high-water mark of the resident
 * set of the process that does the work (getrusage's ru_maxrss; TorchLab's training and
 * search threads live in that process), over the same repeats of the same workload.
 */
import { execFile } from 'node:child_process'
import { copyFileSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type { LabEvent } from '../src/shared/api'
import { LabService } from '../src/main/lab/service'

const ROOT = resolve(import.meta.dirname, '..')
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)
const run = promisify(execFile)
const data = mkdtempSync(join(tmpdir(), 'torchlab-bench-'))
// the CSV and .pth rows leave ~0.5 GB of files here
process.on('exit', () => rmSync(data, { recursive: true, force: true }))
const ONLY = process.env.BENCH_ONLY?.split(',')
const wanted = (name: string) => !ONLY || ONLY.includes(name)
/** issue 14: a TorchLab run's peak memory within 1.5× of the reference's for the same workload */
const MEMORY_TARGET = 1.5
/** pause, resume, step and stop answer within this (DESIGN.md) */
const CONTROL_TARGET_MS = 100

async function writeCsv(path: string, header: string[], rows: number, row: (i: number) => (number | string)[]): Promise<void> {
  const out = createWriteStream(path)
  out.write(header.join(',') + '\n')
  for (let i = 0; i < rows; i++) {
    if (!out.write(row(i).map((v) => (typeof v === 'number' ? v.toFixed(5) : v)).join(',') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((r) => out.end(() => r()))
}

interface Measure {
  /** the median of the repeats */
  seconds: number
  /** each repeat's seconds, in the order they ran: the first of a training row is the thread's cold run */
  runs: number[]
  peak_mb: number
  /** training workloads: the backend that really ran (dense: wasm, js or wasm+js, what ran its products and updates) */
  backend?: string
}

/**
 * Every process starts with nothing left to write to the disk. torch.save does not flush: the
 * ~400 MB a save row's reference process leaves in the page cache used to be written back while
 * TorchLab's process ran next, and its own flush waited on them (its saves took 0.17 s after
 * torch.save's process where the same saves took 0.12 s after the flushed reference's)
 */
async function settledDisk(): Promise<void> {
  await run('sync')
}

async function lab(name: string, engine: string): Promise<Measure> {
  await settledDisk()
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/workload.ts'), name, data, String(REPEATS), engine], {
    cwd: ROOT,
    maxBuffer: 1 << 20,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

async function torch(name: string): Promise<Measure> {
  await settledDisk()
  const { stdout } = await run('/usr/bin/python3', [join(ROOT, 'bench/workloads.py'), name, data, String(REPEATS)], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
  return JSON.parse(stdout)
}

// targets from issue 14 (ratio of times, TorchLab / reference); rows without one are shown for comparison. `torch`
// names the reference's workload when it is not the row's own (a context row beside a target row)
const WORKLOADS: { name: string; torch?: string; title: string; engines: string[]; reference: string; target?: number }[] = [
  { name: 'course-slicing', title: 'course loop (cars, batch 2, 1000 epochs) vs torch slicing', engines: ['dense', 'tfjs-cpu', 'tfjs-wasm'], reference: 'PyTorch', target: 0.01 },
  { name: 'course-cold', torch: 'course-slicing', title: 'course loop, a fresh thread\'s first run (as `lab train`)', engines: ['dense'], reference: 'PyTorch slicing (context, no target)' },
  { name: 'course-dataloader', title: 'course loop vs torch DataLoader', engines: ['dense'], reference: 'PyTorch', target: 0.01 },
  { name: 'course-full-batch', title: 'course model, full batch, 1000 epochs', engines: ['dense', 'tfjs-cpu'], reference: 'PyTorch' },
  { name: 'mlp-100k', title: 'MLP 8-64-64-1 ReLU, Adam, batch 32, 100k rows, 1 epoch', engines: ['dense', 'tfjs-cpu', 'tfjs-wasm'], reference: 'PyTorch', target: 1.0 },
  { name: 'mlp-100k-sigmoid', title: 'the same MLP with Sigmoid in place of ReLU', engines: ['dense'], reference: 'PyTorch (context, no target)' },
  { name: 'grid', title: 'course grid search 3×3, cv 3 (wall time)', engines: ['dense', 'tfjs-cpu'], reference: 'skorch + GridSearchCV', target: 0.05 },
  { name: 'csv-1m', title: 'CSV import, 1,000,000 rows × 12 columns', engines: ['dense'], reference: 'pandas.read_csv', target: 1.0 },
  { name: 'csv-1m-labels', title: 'the same CSV with a 13th column of class labels', engines: ['dense'], reference: 'pandas.read_csv (context, no target)' },
  { name: 'pth-save', title: '.pth save of a 100 MB state_dict', engines: ['dense'], reference: 'torch.save', target: 1.0 },
  // TorchLab flushes before its rename so a power cut leaves the old file or the new one; torch.save never flushes
  { name: 'pth-save', torch: 'pth-save-flushed', title: '.pth save, 100 MB, vs torch.save with the same flush', engines: ['dense'], reference: 'torch.save with the same flush (context, no target)' },
  { name: 'pth-load', title: '.pth load of a 100 MB state_dict', engines: ['dense'], reference: 'torch.load', target: 1.5 },
]

const tick = (pass: boolean): string => (pass ? '✓' : '✗')
const load = (): string => `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`

const HEADER =
  'workload'.padEnd(58) +
  'engine'.padEnd(14) +
  'TorchLab s'.padStart(11) +
  'ref s'.padStart(9) +
  'ratio'.padStart(8) +
  'target'.padStart(8) +
  '  ' +
  'peak MB'.padStart(8) +
  'ref MB'.padStart(8) +
  'ratio'.padStart(7) +
  `target`.padStart(7) +
  '  reference'

/** one line of the table: time against its target, peak memory against MEMORY_TARGET, each with its tick or cross */
function tableRow(title: string, engine: string, ours: Measure, reference: Measure, target: number | undefined, referenceName: string): string {
  const ratio = ours.seconds / reference.seconds
  const memory = ours.peak_mb / reference.peak_mb
  return (
    title.slice(0, 57).padEnd(58) +
    (ours.backend && ours.backend !== engine.replace('tfjs-', '') ? `${engine}/${ours.backend}` : engine).padEnd(14) +
    ours.seconds.toFixed(3).padStart(11) +
    reference.seconds.toFixed(3).padStart(9) +
    ratio.toFixed(3).padStart(8) +
    (target === undefined ? '—' : `≤${target}`).padStart(8) +
    ' ' +
    (target === undefined ? ' ' : tick(ratio <= target)) +
    ours.peak_mb.toFixed(0).padStart(8) +
    reference.peak_mb.toFixed(0).padStart(8) +
    memory.toFixed(2).padStart(7) +
    `≤${MEMORY_TARGET}`.padStart(7) +
    ' ' +
    tick(memory <= MEMORY_TARGET) +
    ` ${referenceName}`
  )
}

async function controlLatency(service: LabService): Promise<Record<string, number>> {
  const { runId } = await service.startTraining({
    dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
    model: { kind: 'linear' },
    train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1_000_000, batchSize: 2 },
  })
  const next = (predicate: (e: LabEvent) => boolean) =>
    new Promise<number>((done) => {
      const off = service.onEvent((e) => {
        if ('runId' in e && e.runId === runId && predicate(e)) {
          off()
          done(performance.now())
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

async function cancelLatency(service: LabService): Promise<number> {
  const { searchId } = await service.startSearch({
    dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
    model: { kind: 'mlp', hidden: [{ units: 64, activation: 'Tanh' }] },
    train: { optimizer: { name: 'SGD', lr: 0.001 }, epochs: 1_000_000 },
    grid: { lr: [0.001, 0.002, 0.003, 0.004] },
  })
  await new Promise((r) => setTimeout(r, 1000))
  const started = performance.now()
  await service.cancelSearch(searchId)
  return performance.now() - started
}

copyFileSync(join(ROOT, 'resources/datasets/cars.csv'), join(data, 'cars.csv'))
if (wanted('mlp-100k') || wanted('mlp-100k-sigmoid')) await writeCsv(join(data, 'mlp100k.csv'), ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'y'], 100_000, (i) => {
  const x = Array.from({ length: 8 }, (_, j) => Math.sin(i * (j + 1) * 0.001) * 3)
  return [...x, x.reduce((a, b, j) => a + b * (j - 3), 0) + 0.1 * Math.cos(i)]
})
const bigRow = (i: number) => Array.from({ length: 12 }, (_, j) => Math.sin(i * 0.37 + j) * 100)
const bigHeader = Array.from({ length: 12 }, (_, j) => `c${j}`)
if (wanted('csv-1m')) await writeCsv(join(data, 'big.csv'), bigHeader, 1_000_000, bigRow)
if (wanted('csv-1m-labels')) await writeCsv(join(data, 'labels.csv'), [...bigHeader, 'species'], 1_000_000, (i) => [...bigRow(i), ['setosa', 'versicolor', 'virginica'][i % 3]])

console.log(`TorchLab vs references on this machine, ${REPEATS}× median, one thread per side (ratio = TorchLab / reference)`)
console.log(`peak MB: the kernel's peak resident set of the process that did the work, both sides; ${load()} at the start\n`)
console.log(HEADER)
/** what each median was taken from, printed after the table */
const repeats: string[] = []
const seconds = (m: Measure): string => m.runs.map((s) => s.toFixed(3)).join(' ')
for (const w of WORKLOADS.filter((w) => wanted(w.name))) {
  const reference = await torch(w.torch ?? w.name)
  for (const engine of w.engines) {
    const ours = await lab(w.name, engine)
    console.log(tableRow(w.title, engine, ours, reference, w.target, w.reference))
    repeats.push(`${(w.torch && w.torch !== w.name ? `${w.name} vs ${w.torch}` : w.name).padEnd(34)}${engine.padEnd(11)}TorchLab ${seconds(ours)}   ${w.reference}: ${seconds(reference)}`)
  }
}
console.log(`(${load()} at the end)`)
console.log('\neach repeat in the order it ran (s):')
for (const line of repeats) console.log(`  ${line}`)

if (ONLY) process.exit(0)
const settingsDir = mkdtempSync(join(tmpdir(), 'torchlab-bench-settings-'))
process.on('exit', () => rmSync(settingsDir, { recursive: true, force: true }))
const service = new LabService({ resourcesDir: join(ROOT, 'resources'), settingsDir })
try {
  const latency = await controlLatency(service)
  console.log(
    `\ncontrol latency while training (worst of 5, ms, target ≤${CONTROL_TARGET_MS}): ` +
      Object.entries(latency)
        .map(([k, v]) => `${k} ${v.toFixed(1)} ${tick(v <= CONTROL_TARGET_MS)}`)
        .join(', '),
  )
  console.log(`search cancel answered in ${(await cancelLatency(service)).toFixed(1)} ms with fits running`)
} finally {
  service.dispose()
}
