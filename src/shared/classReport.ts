/**
 * Precision, recall and F1 of each class, read off a confusion matrix as scikit-learn's
 * classification_report computes them: a class never predicted (or never present) scores 0
 * where its ratio has no denominator (zero_division's default), and the averages are the
 * macro mean and the mean weighted by each class's support.
 */
export interface ClassScores {
  precision: number
  recall: number
  f1: number
  /** rows of this class among those scored */
  support: number
}

export interface ClassReport {
  classes: ClassScores[]
  macro: ClassScores
  weighted: ClassScores
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b)

/** `confusion[true][predicted]`, as ClassificationMetrics holds it */
export function classReport(confusion: number[][]): ClassReport {
  const classes = confusion.map((row, k) => {
    const hit = row[k]
    const support = row.reduce((a, b) => a + b, 0)
    const predicted = confusion.reduce((a, r) => a + r[k], 0)
    const precision = ratio(hit, predicted)
    const recall = ratio(hit, support)
    // sklearn's F1 from the counts, 2·tp / (2·tp + fp + fn): not from the rounded ratios
    return { precision, recall, f1: ratio(2 * hit, predicted + support), support }
  })
  const total = classes.reduce((a, c) => a + c.support, 0)
  const average = (weight: (c: ClassScores) => number, sum: number): ClassScores => ({
    precision: ratio(classes.reduce((a, c) => a + weight(c) * c.precision, 0), sum),
    recall: ratio(classes.reduce((a, c) => a + weight(c) * c.recall, 0), sum),
    f1: ratio(classes.reduce((a, c) => a + weight(c) * c.f1, 0), sum),
    support: total,
  })
  return { classes, macro: average(() => 1, classes.length), weighted: average((c) => c.support, total) }
}
