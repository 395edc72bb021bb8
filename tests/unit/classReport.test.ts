/** Per-class precision, recall and F1 from a confusion matrix, against scikit-learn's own classification_report. */
import { describe, expect, it } from 'vitest'
import { classReport } from '../../src/shared/classReport'
import { python } from '../helpers/python'

const MATRICES = {
  'all right': [[8, 0, 0, 0], [0, 8, 0, 0], [0, 0, 11, 0], [0, 0, 0, 4]],
  'some mistakes': [[5, 2, 0], [1, 7, 3], [0, 4, 9]],
  // class 2 is never predicted and class 3 never present: sklearn's zero_division scores them 0
  'a class never predicted, one never present': [[6, 1, 0, 0], [2, 4, 0, 1], [3, 0, 0, 0], [0, 0, 0, 0]],
}

describe('classReport', () => {
  it('gives what sklearn.metrics.classification_report gives for the same predictions', async () => {
    const sklearn = await python<Record<string, Record<string, { precision: number; recall: number; 'f1-score': number; support: number }>>>(
      `import warnings
from sklearn.metrics import classification_report
warnings.simplefilter("ignore")
out = {}
for name, m in INPUT.items():
    y_true, y_pred = [], []
    for t, row in enumerate(m):
        for p, n in enumerate(row):
            y_true += [t] * n
            y_pred += [p] * n
    out[name] = classification_report(y_true, y_pred, labels=list(range(len(m))), output_dict=True, zero_division=0)
print(json.dumps(out))`,
      MATRICES,
    )
    for (const [name, matrix] of Object.entries(MATRICES)) {
      const report = classReport(matrix)
      const want = sklearn[name]
      const rows: [string, ReturnType<typeof classReport>['macro']][] = [...report.classes.map((c, k) => [String(k), c] as [string, typeof c]), ['macro avg', report.macro], ['weighted avg', report.weighted]]
      for (const [key, got] of rows) {
        expect(got.precision, `${name} ${key}`).toBeCloseTo(want[key].precision, 12)
        expect(got.recall, `${name} ${key}`).toBeCloseTo(want[key].recall, 12)
        expect(got.f1, `${name} ${key}`).toBeCloseTo(want[key]['f1-score'], 12)
        expect(got.support, `${name} ${key}`).toBe(want[key].support)
      }
    }
  })
})
