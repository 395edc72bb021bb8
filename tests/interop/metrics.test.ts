import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/main/lab/data/csv'
import { prepareData } from '../../src/main/lab/data/dataset'
import { classificationMetrics, regressionMetrics } from '../../src/main/lab/train/metrics'
import { leastSquares } from '../../src/main/lab/train/ols'
import { datasetSpecSchema, parseOptionsSchema } from '../../src/shared/schemas'
import { DATASETS } from '../helpers/lab'
import { python } from '../helpers/python'

const table = (name: string) => parseCsv(readFileSync(join(DATASETS, `${name}.csv`), 'utf8'), parseOptionsSchema.parse({}))

describe('least squares', () => {
  it("equals sklearn's LinearRegression on cars mpg ~ wt (−5.344472, 37.285126)", async () => {
    const data = prepareData(table('cars'), datasetSpecSchema.parse({ source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' }), 'MSELoss')
    const fit = leastSquares(data.train.x, data.train.y, data.train.n, 1)
    const sk = await python<{ coef: number[]; intercept: number }>(`
import csv
import numpy as np
from sklearn.linear_model import LinearRegression
rows = list(csv.DictReader(open(INPUT)))
m = LinearRegression().fit(np.array([[float(r['wt'])] for r in rows]), np.array([float(r['mpg']) for r in rows]))
print(json.dumps({'coef': m.coef_.tolist(), 'intercept': float(m.intercept_)}))
`, join(DATASETS, 'cars.csv'))
    expect(fit.coef[0]).toBeCloseTo(-5.344472, 5)
    expect(fit.intercept).toBeCloseTo(37.285126, 5)
    expect(fit.coef[0]).toBeCloseTo(sk.coef[0], 5)
    expect(fit.intercept).toBeCloseTo(sk.intercept, 5)
  })

  it('equals sklearn on all ten diabetes features', async () => {
    const features = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']
    const data = prepareData(
      table('diabetes'),
      datasetSpecSchema.parse({ source: { kind: 'bundled', name: 'diabetes' }, features, target: 'target' }),
      'MSELoss',
    )
    const fit = leastSquares(data.train.x, data.train.y, data.train.n, features.length)
    const sk = await python<{ coef: number[]; intercept: number }>(`
import numpy as np
from sklearn.linear_model import LinearRegression
X = np.array(INPUT['x'], dtype=np.float64).reshape(-1, 10)
m = LinearRegression().fit(X, np.array(INPUT['y']))
print(json.dumps({'coef': m.coef_.tolist(), 'intercept': float(m.intercept_)}))
`, { x: Array.from(data.train.x), y: Array.from(data.train.y) })
    fit.coef.forEach((c, j) => expect(c).toBeCloseTo(sk.coef[j], 6))
    expect(fit.intercept).toBeCloseTo(sk.intercept, 6)
  })

  it('refuses collinear features with a message', () => {
    expect(() => leastSquares([1, 2, 2, 4, 3, 6], [1, 2, 3], 3, 2)).toThrow(/collinear/)
  })
})

describe('scores', () => {
  it("equal sklearn's r2, MSE, MAE, accuracy and confusion matrix on the same predictions", async () => {
    const actual = Array.from({ length: 50 }, (_, i) => Math.sin(i) * 10 + i / 3)
    const predicted = actual.map((v, i) => v + Math.cos(i * 7) * 2)
    const labels = Array.from({ length: 60 }, (_, i) => i % 3)
    const guesses = labels.map((l, i) => (i % 7 === 0 ? (l + 1) % 3 : l))
    const sk = await python<{ r2: number; mse: number; mae: number; acc: number; cm: number[][]; r2const: number }>(`
from sklearn.metrics import r2_score, mean_squared_error, mean_absolute_error, accuracy_score, confusion_matrix
a, p, l, g = INPUT
print(json.dumps({'r2': r2_score(a, p), 'mse': mean_squared_error(a, p), 'mae': mean_absolute_error(a, p),
  'acc': accuracy_score(l, g), 'cm': confusion_matrix(l, g).tolist(), 'r2const': r2_score([3, 3, 3], [3, 3, 2])}))
`, [actual, predicted, labels, guesses])
    const reg = regressionMetrics(actual, predicted)
    expect(reg.r2).toBeCloseTo(sk.r2, 12)
    expect(reg.mse).toBeCloseTo(sk.mse, 12)
    expect(reg.mae).toBeCloseTo(sk.mae, 12)
    expect(regressionMetrics([3, 3, 3], [3, 3, 2]).r2).toBe(sk.r2const)
    const cls = classificationMetrics(labels, guesses, ['a', 'b', 'c'])
    expect(cls.accuracy).toBeCloseTo(sk.acc, 12)
    expect(cls.confusion).toEqual(sk.cm)
  })
})
