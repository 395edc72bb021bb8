/** Cross-validated search against scikit-learn and skorch's course results. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { kFold, stratifiedKFold } from '../../src/main/lab/search/folds'
import { score } from '../../src/main/lab/search/fit'
import { applySetting, expandGrid } from '../../src/main/lab/search/grid'
import { resolveModel } from '../../src/shared/modelSpec'
import { modelArchSchema, trainConfigSchema } from '../../src/shared/schemas'
import type { LabEvent, SearchSummary } from '../../src/shared/api'
import { COURSE_SEARCH } from '../helpers/courseSearch'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())

const course = COURSE_SEARCH

describe('folds', () => {
  it("equal sklearn's KFold and StratifiedKFold index sets for several n and k", async () => {
    const kCases = [[32, 3], [10, 4], [7, 7], [150, 5], [11, 2]]
    const labels = [
      [0, 0, 1, 1, 1, 2, 2, 2, 2, 0, 1, 2],
      Array.from({ length: 150 }, (_, i) => Math.floor(i / 50)),
      Array.from({ length: 40 }, (_, i) => (i * 7) % 3),
      [1, 0, 1, 0, 1, 1, 1, 0, 1, 1],
    ]
    const sk = await python<{ k: number[][][]; s: number[][][] }>(
      `
from sklearn.model_selection import KFold, StratifiedKFold
import numpy as np
k = [[t.tolist() for _, t in KFold(c[1]).split(np.zeros(c[0]))] for c in INPUT['k']]
s = [[t.tolist() for _, t in StratifiedKFold(c['k']).split(np.zeros(len(c['y'])), c['y'])] for c in INPUT['s']]
print(json.dumps({'k': k, 's': s}))
`,
      { k: kCases, s: labels.map((y, i) => ({ y, k: [3, 5, 4, 3][i] })) },
    )
    kCases.forEach(([n, k], i) => expect(kFold(n, k).map((f) => f.test)).toEqual(sk.k[i]))
    labels.forEach((y, i) => expect(stratifiedKFold(y, [3, 5, 4, 3][i]).map((f) => f.test)).toEqual(sk.s[i]))
  })

  it('refuses more folds than rows with a message', () => {
    expect(() => kFold(3, 5)).toThrow(/between 2 and 3 folds/)
  })

  it('keeps the model’s activation arguments at every hidden size it tries (LeakyReLU(0.2) stays 0.2)', () => {
    const model = { kind: 'sequential' as const, layers: [{ kind: 'Linear' as const, outFeatures: 8 }, { kind: 'LeakyReLU' as const, negativeSlope: 0.2 }, { kind: 'Linear' as const }] }
    const train = trainConfigSchema.parse({ ...course.train, batchSize: 2 })
    const { model: tried } = applySetting(model, train, { hidden: [4, 6] })
    expect(tried.kind === 'sequential' && tried.layers.filter((l) => l.kind === 'LeakyReLU')).toEqual([
      { kind: 'LeakyReLU', negativeSlope: 0.2 },
      { kind: 'LeakyReLU', negativeSlope: 0.2 },
    ])
  })

  it('keeps BatchNorm1d, Dropout and mixed activations at every hidden size it tries, one width per hidden Linear', () => {
    const train = trainConfigSchema.parse({ ...course.train, batchSize: 2 })
    const model = modelArchSchema.parse({
      kind: 'sequential',
      layers: [
        { kind: 'Linear', inFeatures: 1, outFeatures: 8 },
        { kind: 'BatchNorm1d', numFeatures: 8, momentum: 0.3 },
        { kind: 'ReLU' },
        { kind: 'Dropout', p: 0.25 },
        { kind: 'Linear', outFeatures: 8 },
        { kind: 'Tanh' },
        { kind: 'Linear' },
      ],
    })
    const { model: tried } = applySetting(model, train, { hidden: [4, 6] })
    // it was rebuilt as Linear, ReLU, Linear, ReLU, Linear: searched without the student's other layers
    const resolved = resolveModel(tried, 1, 1)
    expect(resolved.kind === 'sequential' && resolved.layers).toEqual([
      { kind: 'Linear', inFeatures: 1, outFeatures: 4 },
      { kind: 'BatchNorm1d', numFeatures: 4, eps: 1e-5, momentum: 0.3, affine: true, trackRunningStats: true },
      { kind: 'ReLU' },
      { kind: 'Dropout', p: 0.25 },
      { kind: 'Linear', inFeatures: 4, outFeatures: 6 },
      { kind: 'Tanh' },
      { kind: 'Linear', inFeatures: 6, outFeatures: 1 },
    ])
    expect(() => applySetting(model, train, { hidden: [16] })).toThrow(
      'A search keeps this model\'s other layers (BatchNorm1d, ReLU, Dropout, Tanh), so a hidden-size setting names one width for each of its 2 hidden Linear layer(s); "16" names 1.',
    )
  })

  it("lists settings in GridSearchCV's order", () => {
    expect(expandGrid({ epochs: [10, 200], lr: [0.02, 0.05] })).toEqual([
      { lr: 0.02, epochs: 10 },
      { lr: 0.02, epochs: 200 },
      { lr: 0.05, epochs: 10 },
      { lr: 0.05, epochs: 200 },
    ])
  })
})

describe('scores', () => {
  it("equal sklearn's r2, neg MSE, neg MAE and accuracy on the same predictions", async () => {
    const y = Float32Array.from({ length: 20 }, (_, i) => Math.sin(i) * 5 + 20)
    const p = Float32Array.from(y, (v, i) => v + Math.cos(i * 3))
    const labels = Float32Array.from({ length: 12 }, (_, i) => i % 3)
    const logits = Float32Array.from({ length: 36 }, (_, i) => Math.sin(i * 1.3))
    const sk = await python<number[]>(
      `
import numpy as np
from sklearn.metrics import r2_score, mean_squared_error, mean_absolute_error, accuracy_score
y, p, l, z = INPUT
pred = np.array(z).reshape(-1, 3).argmax(1)
print(json.dumps([r2_score(y, p), -mean_squared_error(y, p), -mean_absolute_error(y, p), accuracy_score(l, pred)]))
`,
      [Array.from(y), Array.from(p), Array.from(labels), Array.from(logits)],
    )
    expect(score('r2', 'MSELoss', p, y, 1)).toBeCloseTo(sk[0], 5)
    expect(score('neg_mean_squared_error', 'MSELoss', p, y, 1)).toBeCloseTo(sk[1], 4)
    expect(score('neg_mean_absolute_error', 'MSELoss', p, y, 1)).toBeCloseTo(sk[2], 5)
    expect(score('accuracy', 'CrossEntropyLoss', logits, labels, 3)).toBeCloseTo(sk[3], 12)
  })
})

describe('the course grid (skorch + GridSearchCV: lr 0.05 with 500 epochs best, r² 0.587)', () => {
  it('ranks lr 0.05 with 500 epochs first, within 0.05 of skorch, and marks lr 0.08 with 200 and 500 epochs diverged', async () => {
    const { searchId, fitsTotal } = await service.startSearch(course)
    expect(fitsTotal).toBe(27)
    const summary = await service.waitForSearch(searchId)
    expect(summary.status).toBe('completed')
    expect(summary.bestParams).toEqual({ lr: 0.05, epochs: 500 })
    expect(Math.abs(summary.bestScore! - 0.587)).toBeLessThan(0.05)
    const row = (lr: number, epochs: number) => summary.rows.find((r) => r.params.lr === lr && r.params.epochs === epochs)!
    for (const epochs of [200, 500]) {
      expect(row(0.08, epochs).status).toBe('diverged')
      expect(row(0.08, epochs).meanTestScore).toBeNull()
      expect(row(0.08, epochs).diverged!.message).toMatch(/learning rate/)
    }
    for (const r of summary.rows) for (const s of r.splitScores) if (s !== null) expect(Number.isFinite(s)).toBe(true)
    expect(row(0.05, 500).rankTestScore).toBe(1)
    expect(summary.varying).toEqual(['lr', 'epochs'])
    expect(summary.refit?.stateDict['linear.weight']).toBeDefined()

    const csv = join(tempDir(), 'cv_results.csv')
    await service.exportSearchCsv({ searchId, path: csv })
    const lines = readFileSync(csv, 'utf8').trim().split('\n')
    expect(lines[0]).toBe('param_lr,param_epochs,split0_test_score,split1_test_score,split2_test_score,mean_test_score,std_test_score,rank_test_score,mean_fit_time,std_fit_time,status')
    expect(lines).toHaveLength(10)
  })

  it('cancel mid-search keeps a consistent partial table, and a second search starts at once', async () => {
    const { searchId } = await service.startSearch({ ...course, grid: { lr: [0.01, 0.02, 0.03, 0.04, 0.05], epochs: [2000, 3000] }, nJobs: 2 })
    await new Promise<void>((resolve) => {
      const off = service.onEvent((e: LabEvent) => {
        // cancelled once a setting has finished, so that the others' ranks are left to read
        if (e.type === 'search-progress' && e.searchId === searchId && e.fitsDone >= 3 && e.row.status !== 'pending') {
          off()
          resolve()
        }
      })
    })
    const cancelled: SearchSummary = await service.cancelSearch(searchId)
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.fitsDone).toBeGreaterThanOrEqual(3)
    expect(cancelled.fitsDone).toBeLessThan(cancelled.fitsTotal)
    const scored = cancelled.rows.flatMap((r) => r.splitScores).filter((s) => s !== null)
    expect(scored.length).toBe(cancelled.fitsDone)
    for (const r of cancelled.rows) {
      // GridSearchCV ranks what it scored (a NaN last); a setting still running has no rank yet
      if (r.status === 'pending') expect([r.meanTestScore, r.rankTestScore]).toEqual([null, null])
      else expect(r.splitScores.every((s) => s !== null)).toBe(true)
    }
    const again = await service.startSearch({ ...course, grid: { lr: [0.05], epochs: [10] } })
    expect((await service.waitForSearch(again.searchId)).status).toBe('completed')
  })

  it('refuses a grid it cannot run, with a message', async () => {
    await expect(service.startSearch({ ...course, grid: { momentum: [0.9] }, train: { optimizer: { name: 'Adam' }, epochs: 5 } })).rejects.toThrow(/Adam has no momentum/)
    await expect(service.startSearch({ ...course, grid: {} })).rejects.toThrow(/at least one hyperparameter/)
    await expect(service.startSearch({ ...course, scoring: 'accuracy' })).rejects.toThrow(/Accuracy scores classifiers/)
  })
})

describe('random search', () => {
  it('draws n_iter settings with a seed: lr log-uniform within the given range, the rest from their lists', async () => {
    const { sampleSettings } = await import('../../src/main/lab/search/grid')
    const grid = { lr: [0.001, 0.1], epochs: [10, 50] }
    const a = sampleSettings(grid, 200, 3)
    expect(sampleSettings(grid, 200, 3)).toEqual(a)
    expect(sampleSettings(grid, 200, 4)).not.toEqual(a)
    const lrs = a.map((p) => p.lr as number)
    lrs.forEach((lr) => expect(lr >= 0.001 && lr <= 0.1).toBe(true))
    // log-uniform: about half the draws fall below the geometric middle (0.01)
    const below = lrs.filter((lr) => lr < 0.01).length
    expect(below).toBeGreaterThan(70)
    expect(below).toBeLessThan(130)
    expect(new Set(a.map((p) => p.epochs))).toEqual(new Set([10, 50]))
  })

  it('runs n_iter settings through the same cross-validation', async () => {
    const { searchId, fitsTotal } = await service.startSearch({ ...course, grid: { lr: [0.01, 0.06], epochs: [50, 100] }, random: { nIter: 4, seed: 1 } })
    expect(fitsTotal).toBe(12)
    const summary = await service.waitForSearch(searchId)
    expect(summary.status).toBe('completed')
    expect(summary.rows).toHaveLength(4)
    expect(summary.bestScore).not.toBeNull()
  })
})
