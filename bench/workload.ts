/**
 * The TorchLab side of `npm run bench`: one workload per process (so peak memory is its own),
 * median of repeats. tsx bench/workload.ts NAME DATA_DIR REPEATS [dense|tfjs-cpu|tfjs-wasm]
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseCsv } from '../src/main/lab/data/csv'
import { interpret } from '../src/main/lab/checkpoint/contents'
import { readPth } from '../src/main/lab/checkpoint/readPth'
import { PyDict } from '../src/main/lab/checkpoint/pickle/values'
import { Tensor } from '../src/main/lab/checkpoint/tensor'
import { encodePth } from '../src/main/lab/checkpoint/writePth'
import { atomicWrite } from '../src/main/lab/files/atomicWrite'
import { LabService } from '../src/main/lab/service'
import type { SearchConfigInput, TrainRequestInput } from '../src/shared/schemas'

const [name, dataDir, repeatsText, engineText = 'dense'] = process.argv.slice(2)
const repeats = Number(repeatsText)
const root = resolve(import.meta.dirname, '..')
const service = new LabService({ resourcesDir: join(root, 'resources'), settingsDir: mkdtempSync(join(tmpdir(), 'torchlab-bench-')) })
const engine = engineText === 'dense' ? { engine: 'dense' as const } : { engine: 'tfjs' as const, backend: engineText.replace('tfjs-', '') as 'cpu' | 'wasm' }
let peak = 0
/** the backend a training workload really ran on (the dense engine's kernels: wasm or js) */
let backend: string | undefined
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)

const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }
const course = (batchSize: number): TrainRequestInput => ({
  dataset: cars,
  model: { kind: 'linear' },
  train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize },
  ...engine,
})

/** training workloads report the training loop's own time, as the PyTorch side does */
async function train(request: TrainRequestInput): Promise<number> {
  const { runId } = await service.startTraining(request)
  const summary = await service.waitForRun(runId)
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

function bigStateDict(): PyDict {
  const entries = new Map<unknown, Tensor>()
  for (let i = 0; i < 25; i++) entries.set(`layer${i}.weight`, new Tensor('float32', [1024, 1024], Float32Array.from({ length: 1024 * 1024 }, (_, j) => Math.sin(i + j))))
  return new PyDict(entries, 'OrderedDict')
}

const WORKLOADS: Record<string, () => Promise<number>> = {
  'course-slicing': () => train(course(2)),
  'course-dataloader': () => train(course(2)),
  'course-full-batch': () => train(course(32)),
  'mlp-100k': () =>
    train({
      dataset: { source: { kind: 'file', path: join(dataDir, 'mlp100k.csv') }, features: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8'], target: 'y' },
      model: { kind: 'mlp', hidden: [{ units: 64, activation: 'ReLU' }, { units: 64, activation: 'ReLU' }] },
      train: { optimizer: { name: 'Adam', lr: 0.001 }, epochs: 1, batchSize: 32 },
      ...engine,
    }),
  grid: () => wall(async () => service.waitForSearch((await service.startSearch(grid)).searchId)),
  'csv-1m': () => wall(() => parseCsv(readFileSync(join(dataDir, 'big.csv'), 'utf8'), { delimiter: '', header: 'auto', decimal: '.', encoding: 'utf-8' })),
  'pth-save': () => {
    const sd = bigStateDict()
    return wall(() => atomicWrite(join(dataDir, 'torchlab-100mb.pth'), encodePth(sd, 'torchlab-100mb')))
  },
  // both sides load the file torch.save wrote
  'pth-load': () => wall(() => interpret(readPth(readFileSync(join(dataDir, 'torch-100mb.pth'))))),
}

const times: number[] = []
for (let i = 0; i < repeats; i++) times.push(await WORKLOADS[name]())
clearInterval(sample)
peak = Math.max(peak, process.memoryUsage().rss)
service.dispose()
process.stdout.write(JSON.stringify({ seconds: [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)], peak_mb: peak / 2 ** 20, backend }) + '\n')
process.exit(0)
