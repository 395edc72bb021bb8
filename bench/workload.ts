/**
 * The TorchLab side of `npm run bench`: one workload per process (so peak memory is its own),
 * median of repeats. tsx bench/workload.ts NAME DATA_DIR REPEATS [dense|tfjs-cpu|tfjs-wasm]
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { saveStateDict } from '../src/main/lab/checkpoint/files'
import type { StateDict } from '../src/main/lab/model/stateDict'
import { LabService } from '../src/main/lab/service'
import { startWorker, warmWord } from '../src/main/lab/train/workerThread'
import type { SearchConfigInput, TrainRequestInput } from '../src/shared/schemas'

const [name, dataDir, repeatsText, engineText = 'dense'] = process.argv.slice(2)
const repeats = Number(repeatsText)
const root = resolve(import.meta.dirname, '..')
const settingsDir = mkdtempSync(join(tmpdir(), 'torchlab-bench-settings-'))
/**
 * the window's service: a spare training thread starts when the student's data is prepared and
 * warms up while they look at it (warmUp.ts); `spareWarm` is its word that it has
 */
let spareWarm: Promise<void> | undefined
const service = new LabService({
  resourcesDir: join(root, 'resources'),
  settingsDir,
  spareThread: true,
  startThread: (start) => {
    const worker = startWorker(start)
    if (start.kind === 'spare') spareWarm = warmWord(worker)
    return worker
  },
})
const engine = engineText === 'dense' ? { engine: 'dense' as const } : { engine: 'tfjs' as const, backend: engineText.replace('tfjs-', '') as 'cpu' | 'wasm' }
let copies = 0
/** the backend a training workload really ran on (dense: wasm, js or wasm+js, what ran its products and updates) */
let backend: string | undefined

const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }
const course = (batchSize: number): TrainRequestInput => ({
  dataset: cars,
  model: { kind: 'linear' },
  train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize },
  ...engine,
})

let prepared = false

/**
 * training workloads report the training loop's own time, as the PyTorch side does; the
 * repeats run in one service as a student's runs do in the window: its settings read as the
 * window opens, the data prepared, the spare thread warm by the time Train is pressed, and each
 * later run on the last run's thread
 */
async function train(request: TrainRequestInput, lab = service): Promise<number> {
  if (!prepared && lab === service) {
    // the window reads its settings when it opens (App.svelte): their store (conf, ajv) is not
    // loaded on the main thread while the first run trains, as it would be if the run opened it
    await service.getSettings()
    await service.prepareDataset(request.dataset)
    // a waiting spare keeps no process alive (LabServiceOptions.spareThread): the student's window would, this timer does
    const open = setInterval(() => {}, 1000)
    await spareWarm
    clearInterval(open)
    prepared = true
  }
  const { runId } = await lab.startTraining(request)
  const summary = await lab.waitForRun(runId)
  if (summary.status !== 'completed') throw new Error(`${name} ended ${summary.status}: ${summary.error?.message ?? ''}`)
  backend = summary.backend
  return summary.seconds
}

async function wall(work: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now()
  await work()
  return (performance.now() - started) / 1000
}

const grid: SearchConfigInput = {
  dataset: cars,
  model: { kind: 'linear' },
  train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 10 },
  grid: { lr: [0.02, 0.05, 0.08], epochs: [10, 200, 500] },
  cv: 3,
  engine: engine.engine,
}

/**
 * built and saved once untimed, as the PyTorch side builds its state_dict and saves it before the
 * timed saves: each timed save then replaces a file of the same size, on both sides
 */
let big: StateDict | undefined
async function bigStateDict(path: string): Promise<StateDict> {
  if (!big) {
    big = Array.from({ length: 25 }, (_, i) => ({ name: `layer${i}.weight`, shape: [1024, 1024], data: Float32Array.from({ length: 1024 * 1024 }, (_, j) => Math.sin(i + j)) }))
    await saveStateDict(path, big)
  }
  return big
}

/** the MLP row's run: 8-64-64-1 with the given activation, Adam, batch 32, one epoch of 100k rows */
const mlp = (activation: 'ReLU' | 'Sigmoid'): TrainRequestInput => ({
  dataset: { source: { kind: 'file', path: join(dataDir, 'mlp100k.csv') }, features: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8'], target: 'y' },
  model: { kind: 'mlp', hidden: [{ units: 64, activation }, { units: 64, activation }] },
  train: { optimizer: { name: 'Adam', lr: 0.001 }, epochs: 1, batchSize: 32 },
  ...engine,
})

/** what a student waits for on import: the service's parse workers and the preview; a fresh copy each time, so no table is cached */
function imported(name: string): Promise<number> {
  const path = join(dataDir, `copy-${++copies}-${name}`)
  copyFileSync(join(dataDir, name), path)
  return wall(() => service.inspectCsv({ kind: 'file', path }, {}))
}

const WORKLOADS: Record<string, () => Promise<number>> = {
  'course-slicing': () => train(course(2)),
  'course-dataloader': () => train(course(2)),
  'course-full-batch': () => train(course(32)),
  // context: what `lab train` runs, one run on a thread just started (no spare, nothing warm): a fresh service each repeat
  'course-cold': async () => {
    const cold = new LabService({ resourcesDir: join(root, 'resources'), settingsDir })
    try {
      return await train(course(2), cold)
    } finally {
      cold.dispose()
    }
  },
  'mlp-100k': () => train(mlp('ReLU')),
  // context: the same network with Sigmoid, whose float32 kernels are torch's op for op (Sleef's and glibc's expf)
  'mlp-100k-sigmoid': () => train(mlp('Sigmoid')),
  grid: () => wall(async () => service.waitForSearch((await service.startSearch(grid)).searchId)),
  'csv-1m': () => imported('big.csv'),
  // context: the shape of a student's own data, numbers and a class label
  'csv-1m-labels': () => imported('labels.csv'),
  // what a student's save runs: weights checked finite, encoded, written to a temporary file, flushed, renamed
  'pth-save': async () => {
    const path = join(dataDir, 'torchlab-100mb.pth')
    const sd = await bigStateDict(path)
    return wall(() => saveStateDict(path, sd))
  },
  // both sides load the file torch.save wrote; TorchLab opens it as the Files panel does, through the parse worker
  'pth-load': () => wall(() => service.openCheckpoint(join(dataDir, 'torch-100mb.pth'))),
}

const times: number[] = []
for (let i = 0; i < repeats; i++) times.push(await WORKLOADS[name]())
service.dispose()
rmSync(settingsDir, { recursive: true, force: true })
// the kernel's high-water mark of this process (its threads included), as the PyTorch side reads its own: getrusage's ru_maxrss in KiB
const peakMb = process.resourceUsage().maxRSS / 1024
process.stdout.write(JSON.stringify({ seconds: [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)], runs: times, peak_mb: peakMb, backend }) + '\n')
process.exit(0)
