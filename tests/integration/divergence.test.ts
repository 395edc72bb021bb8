/**
 * Issue 11.1: divergence means the run is really blowing up. Fine-tuning from weights that fit
 * the first batch exactly (first loss 0) trains on; a learning rate that blows up still stops,
 * with the weights of the last sound epoch.
 */
import { execFile } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { constantPredictionLoss } from '../../src/main/lab/train/divergence'
import { createService, ROOT, tempDir } from '../helpers/lab'

// cars' first two rows (Mazda RX4 and RX4 Wag) both have mpg 21: w 0, b 21 fits the first batch of 2 exactly
const fitsFirstBatch = { 'linear.weight': [[0]], 'linear.bias': [21] }
const course = {
  dataset: { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' as const },
  train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs: 200, batchSize: 2 },
}

function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir('torchlab-cli-settings-') } },
      (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
    )
  })
}

describe('divergence', () => {
  it('trains on from weights whose first batch loss is exactly 0 (service)', async () => {
    const service = createService()
    try {
      const summary = await service.waitForRun((await service.startTraining({ ...course, init: fitsFirstBatch })).runId)
      expect(summary.divergence).toBeUndefined()
      expect(summary.status).toBe('completed')
      expect(summary.epochsCompleted).toBe(200)
      expect(summary.finalLoss).toBeLessThan(20)
    } finally {
      service.dispose()
    }
  })

  it('trains on and writes --out from a near-perfect start (CLI, exit 0)', async () => {
    const dir = tempDir('torchlab-diverge-')
    const init = join(dir, 'init.json')
    writeFileSync(init, JSON.stringify(fitsFirstBatch))
    const out = join(dir, 'tuned.pth')
    const { code, stdout } = await cli(['train', '--init', init, '--epochs', '50', '--out', out, '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).status).toBe('completed')
    expect(existsSync(out)).toBe(true)
  })

  it('still stops a run that blows up, before float32 overflows, once, with sound weights', async () => {
    const service = createService()
    try {
      const summary = await service.waitForRun((await service.startTraining({ ...course, train: { ...course.train, optimizer: { name: 'SGD', lr: 0.3 } } })).runId)
      expect(summary.status).toBe('diverged')
      expect(summary.divergence!.loss).toBeGreaterThan(1e6 * 36)
      expect(summary.divergence!.message.match(/learning rate/g)).toHaveLength(1)
      // the trace is kept up to the blow-up
      expect(summary.lossHistory).toHaveLength(summary.divergence!.epoch - 1)
      const weights = Object.values(summary.stateDict).flat(2) as number[]
      weights.forEach((w) => expect(Number.isFinite(w)).toBe(true))
    } finally {
      service.dispose()
    }
  })

  it('derives the bound from the data: a constant prediction for regression, equal odds for classes', () => {
    const split = (y: number[]) => ({ n: y.length, x: new Float32Array(y.length), y: Float32Array.from(y) })
    // predicting 0 loses mean(y²) = 25 (more than predicting the mean, which loses 0 here)
    expect(constantPredictionLoss({ name: 'MSELoss', huberDelta: 1, smoothL1Beta: 1 }, split([5, 5, 5, 5]))).toBeCloseTo(25)
    expect(constantPredictionLoss({ name: 'L1Loss', huberDelta: 1, smoothL1Beta: 1 }, split([-2, 2]))).toBeCloseTo(2)
    expect(constantPredictionLoss({ name: 'CrossEntropyLoss', huberDelta: 1, smoothL1Beta: 1 }, split([0, 1, 2, 2]))).toBeCloseTo(Math.log(3))
    expect(constantPredictionLoss({ name: 'BCEWithLogitsLoss', huberDelta: 1, smoothL1Beta: 1 }, split([0, 1]))).toBeCloseTo(Math.LN2)
    expect(constantPredictionLoss({ name: 'MSELoss', huberDelta: 1, smoothL1Beta: 1 }, split([0, 0]))).toBe(1e-12)
  })
})
