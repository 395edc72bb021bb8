/**
 * R² of fewer than two rows: scikit-learn's r2_score returns NaN with an UndefinedMetricWarning,
 * and GridSearchCV scores such a fold NaN. TorchLab refuses it with one sentence wherever R² is
 * asked for (Evaluate, the CLI's report, a search scored by r2), and loses nothing else: MSE and
 * MAE of one row stand, the CLI still reports and saves the run.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { regressionMetrics } from '../../src/main/lab/train/metrics'
import { score } from '../../src/main/lab/search/fit'
import { runLab } from '../helpers/cli'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const dir = tempDir('torchlab-r2rows-')
const service = createService()
afterAll(() => service.dispose())

/** five rows of y ≈ 2x + 1 */
const FIVE = 'x,y\n1,3.1\n2,4.9\n3,7.2\n4,9.1\n5,10.8\n'
const csv = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const ONE_ROW = /^R² needs at least two rows, and (the validation split|the smallest test fold) has 1 \(scikit-learn's r2_score gives NaN there\)\. /

describe('R² of one row', () => {
  it("is NaN in scikit-learn (a single r2_score, and GridSearchCV's fold of one row); TorchLab refuses it with a sentence, and MSE and MAE of one row still equal sklearn's", async () => {
    const sk = await python<{ r2: string; warned: boolean; folds: (number | null)[]; mse: number; mae: number }>(`
import warnings
import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score, mean_squared_error, mean_absolute_error
from sklearn.model_selection import KFold, cross_val_score
a = np.array([3.5], dtype=np.float32)
p = np.array([2.25], dtype=np.float32)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    r2 = r2_score(a, p)
X = np.arange(5, dtype=np.float64).reshape(-1, 1)
y = np.array([3.1, 4.9, 7.2, 9.1, 10.8])
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    folds = cross_val_score(LinearRegression(), X, y, cv=KFold(3), scoring='r2')
print(json.dumps({'r2': str(r2), 'warned': any('well-defined' in str(x.message) for x in w), 'folds': [None if f != f else f for f in folds.tolist()],
  'mse': float(mean_squared_error(a, p)), 'mae': float(mean_absolute_error(a, p))}))
`)
    expect(sk.r2).toBe('nan')
    expect(sk.warned).toBe(true)
    // 5 rows in 3 folds: 2, 2 and 1 test rows; the last fold's R² is NaN
    expect(sk.folds[2]).toBeNull()
    expect(sk.folds.slice(0, 2).every((f) => typeof f === 'number')).toBe(true)

    const a = Float32Array.of(3.5)
    const p = Float32Array.of(2.25)
    expect(() => regressionMetrics(a, p, 'float32', { name: 'the validation split', fix: 'Raise it.' })).toThrow(ONE_ROW)
    expect(() => score('r2', 'MSELoss', p, a, 1)).toThrow(ONE_ROW)
    expect(-score('neg_mean_squared_error', 'MSELoss', p, a, 1)).toBe(sk.mse)
    expect(-score('neg_mean_absolute_error', 'MSELoss', p, a, 1)).toBe(sk.mae)
  })

  it('refuses a search scored by r2 whose smallest test fold has one row, before any fit, naming the fix; the same search by MSE, or with folds of two rows, runs', async () => {
    const data = { source: { kind: 'file' as const, path: csv('five.csv', FIVE) }, features: ['x'], target: 'y' }
    const search = { dataset: data, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.01 }, epochs: 3 }, grid: { lr: [0.01, 0.02] }, cv: 3 }
    const refused = service.startSearch(search)
    await expect(refused).rejects.toThrow(ONE_ROW)
    await expect(refused).rejects.toThrow(/Use fewer folds \(cv\), or score by neg_mean_squared_error\.$/)
    for (const config of [{ ...search, scoring: 'neg_mean_squared_error' as const }, { ...search, cv: 2 }]) {
      const { searchId } = await service.startSearch(config)
      const summary = await service.waitForSearch(searchId)
      expect(summary.status).toBe('completed')
      expect(summary.rows.every((r) => r.splitScores.every((s) => typeof s === 'number' && Number.isFinite(s)))).toBe(true)
    }
  })

  it('is refused by Evaluate on a one-row validation split; the CLI still reports the training metrics, prints the sentence, and saves the run', async () => {
    const data = csv('five-cli.csv', FIVE)
    const out = join(dir, 'five.pth')
    const { code, stdout, stderr } = await runLab(['train', '--data', data, '--x', 'x', '--y', 'y', '--val-split', '0.2', '--epochs', '3', '--lr', '0.01', '--out', out, '--json'], {
      settingsDir: tempDir('torchlab-r2rows-settings-'),
    })
    expect(stderr).not.toMatch(/error/)
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report.val_loss_history).toHaveLength(3)
    expect(report.metrics.r2).toEqual(expect.any(Number))
    expect(report.val_metrics).toBeNull()
    expect(report.metrics_refused).toEqual([expect.stringMatching(ONE_ROW)])
    expect(report.metrics_refused[0]).toMatch(/Raise the validation fraction so that it holds two rows or more, or evaluate on the training split\.$/)
    expect(existsSync(out)).toBe(true)

    const { runId } = await service.startTraining({ dataset: { source: { kind: 'file', path: data }, features: ['x'], target: 'y', valSplit: 0.2 }, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 3, batchSize: 2 } })
    await service.waitForRun(runId)
    await expect(service.evaluate(runId, 'validation')).rejects.toThrow(ONE_ROW)
    expect((await service.evaluate(runId, 'train')).regression?.r2).toEqual(expect.any(Number))
  })
})
