/**
 * Child process of tests/unit/warmThread.test.ts, run with V8's --trace-deopt: the course run
 * (cars, Linear, SGD, batch 2) four times through one service, as a student's runs go, with a
 * marker line after each so the test can tell which run threw optimised code away. With `spare`,
 * as the window runs it: a spare thread warms up while the data is prepared (a marker once it has
 * said so), and the four runs train on it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { LabService } from '../../src/main/lab/service'
import { startWorker, warmWord } from '../../src/main/lab/train/workerThread'

const spare = process.argv[2] === 'spare'
const root = resolve(import.meta.dirname, '../..')
const settingsDir = mkdtempSync(join(tmpdir(), 'torchlab-warm-'))
let warm: Promise<void> | undefined
const service = new LabService({
  resourcesDir: join(root, 'resources'),
  settingsDir,
  spareThread: spare,
  startThread: (start) => {
    const worker = startWorker(start)
    if (start.kind === 'spare') warm = warmWord(worker)
    return worker
  },
})
const dataset = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }
if (spare) {
  await service.prepareDataset(dataset)
  // a waiting spare keeps no process alive (LabServiceOptions.spareThread): this timer does, as the window would
  const open = setInterval(() => {}, 1000)
  await warm
  clearInterval(open)
  process.stdout.write('\nwarm\n')
}
for (let i = 0; i < 4; i++) {
  const { runId } = await service.startTraining({
    dataset,
    model: { kind: 'linear' },
    train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize: 2 },
  })
  const summary = await service.waitForRun(runId)
  process.stdout.write(`\nrun ${i} ${summary.status}\n`)
}
service.dispose()
rmSync(settingsDir, { recursive: true, force: true })
process.exit(0)
