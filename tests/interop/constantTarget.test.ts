/**
 * Evaluate on a target that never changes: scikit-learn's r2_score gives 1.0 or 0.0 there by its
 * force_finite rule, when the target's mean is the constant itself (and a number of any size when
 * numpy's float32 mean is not). Least squares, as sklearn's LinearRegression fits it, predicts a
 * constant exactly: coefficients 0, the mean as intercept, R² 1.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const dir = tempDir('torchlab-constant-')
const service = createService()
afterAll(() => service.dispose())

const SKLEARN = `
import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score, mean_squared_error, mean_absolute_error
out = []
for c in INPUT:
    x = np.array(c['x'], dtype=np.float64).reshape(-1, 1)
    y = np.array(c['y'], dtype=np.float32)
    p = np.array(c['predicted'], dtype=np.float32)
    m = LinearRegression().fit(x, y.astype(np.float64))
    q = m.predict(x)
    y64 = y.astype(np.float64)
    out.append({'model': [float(r2_score(y, p)), float(mean_squared_error(y, p)), float(mean_absolute_error(y, p))],
                'ols': [float(r2_score(y64, q)), float(mean_squared_error(y64, q)), float(mean_absolute_error(y64, q))],
                'coef': float(m.coef_[0]), 'intercept': float(m.intercept_)})
print(json.dumps(out))
`

describe('a constant target', () => {
  it("scores as scikit-learn scores it: the model's R² by force_finite (or numpy's float32 mean), and least squares' coefficients 0, intercept the constant, R² 1 as LinearRegression's", async () => {
    const cases = [
      { value: 3, n: 32 },
      { value: 2.5, n: 5 },
      { value: 7.3, n: 32 },
      { value: 21.4, n: 5 },
      // numpy's float32 mean of 100 × 0.1 is not 0.1: sklearn's R² is then a large negative number
      { value: 0.1, n: 100 },
    ]
    const evaluations = []
    for (const [k, { value, n }] of cases.entries()) {
      const path = join(dir, `constant${k}.csv`)
      writeFileSync(
        path,
        'x,y\n' +
          Array.from({ length: n }, (_, i) => `${(1.5 + (3.9 * i) / (n - 1)).toFixed(3)},${value}`).join('\n') +
          '\n',
      )
      const { runId } = await service.startTraining({
        dataset: { source: { kind: 'file', path }, features: ['x'], target: 'y' },
        model: { kind: 'linear' },
        train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 3, batchSize: 4 },
        engine: 'dense',
      })
      await service.waitForRun(runId)
      evaluations.push(await service.evaluate(runId, 'train'))
    }
    const sk = await python<{ model: number[]; ols: number[]; coef: number; intercept: number }[]>(
      SKLEARN,
      evaluations.map((e) => ({ x: e.points.x, y: e.points.actual, predicted: e.points.predicted })),
    )
    evaluations.forEach((e, k) => {
      const label = `${cases[k].n} rows of ${cases[k].value}`
      expect(e.points.actual, label).toHaveLength(cases[k].n)
      const { r2, mse, mae } = e.regression!
      expect([r2, mse, mae], label).toEqual(sk[k].model)
      expect(e.ols!.coef, label).toEqual([sk[k].coef])
      expect(e.ols!.intercept, label).toBe(sk[k].intercept)
      expect([e.ols!.metrics.r2, e.ols!.metrics.mse, e.ols!.metrics.mae], label).toEqual(sk[k].ols)
    })
    expect(sk.map((s) => s.ols[0])).toEqual([1, 1, 1, 1, 1])
    expect(sk[4].model[0]).toBeLessThan(-1000)
  })
})
