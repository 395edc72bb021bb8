/**
 * Child process of tests/unit/warmThread.test.ts, run with V8's --trace-deopt: the course run
 * (cars, Linear, SGD, batch 2) four times through one service, as a student's runs go, with a
 * marker line after each so the test can tell which run threw optimised code away.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { LabService } from '../../src/main/lab/service'

const root = resolve(import.meta.dirname, '../..')
const settingsDir = mkdtempSync(join(tmpdir(), 'torchlab-warm-'))
const service = new LabService({ resourcesDir: join(root, 'resources'), settingsDir })
for (let i = 0; i < 4; i++) {
  const { runId } = await service.startTraining({
    dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
    model: { kind: 'linear' },
    train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize: 2 },
  })
  const summary = await service.waitForRun(runId)
  process.stdout.write(`\nrun ${i} ${summary.status}\n`)
}
service.dispose()
rmSync(settingsDir, { recursive: true, force: true })
process.exit(0)
