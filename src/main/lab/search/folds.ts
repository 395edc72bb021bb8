/**
 * Cross-validation folds with scikit-learn's index sets: KFold(n_splits, shuffle=False) and
 * StratifiedKFold(n_splits, shuffle=False) as sklearn ≥ 0.24 assigns them.
 */
import { labError } from '../../../shared/errors'
import type { ScoredRows } from '../train/metrics'

/** a search scored by r2 is refused before it starts when one of its test folds holds a single row */
export const TEST_FOLD: ScoredRows = { name: 'the smallest test fold', fix: 'Use fewer folds (cv), or score by neg_mean_squared_error.' }

export interface Fold {
  train: number[]
  test: number[]
}

function fromTestSets(n: number, tests: number[][]): Fold[] {
  return tests.map((test) => {
    const inTest = new Set(test)
    return { test, train: Array.from({ length: n }, (_, i) => i).filter((i) => !inTest.has(i)) }
  })
}

export function kFold(n: number, k: number): Fold[] {
  if (k < 2 || k > n) throw labError('INVALID_ARGUMENT', `Cross-validation needs between 2 and ${n} folds for ${n} rows; ${k} were asked for.`)
  const tests: number[][] = []
  let start = 0
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0)
    tests.push(Array.from({ length: size }, (_, i) => start + i))
    start += size
  }
  return fromTestSets(n, tests)
}

/** labels: class index per row */
export function stratifiedKFold(labels: ArrayLike<number>, k: number): Fold[] {
  const n = labels.length
  // classes numbered in order of first appearance, as sklearn re-encodes them
  const order = new Map<number, number>()
  for (let i = 0; i < n; i++) if (!order.has(labels[i])) order.set(labels[i], order.size)
  const encoded = Array.from(labels, (l) => order.get(l)!)
  const classes = order.size
  const counts = new Array<number>(classes).fill(0)
  encoded.forEach((c) => counts[c]++)
  // like sklearn, a class with fewer rows than folds is allowed: some folds then miss it
  if (k < 2 || k > Math.max(...counts)) {
    throw labError('INVALID_ARGUMENT', `Stratified cross-validation with ${k} folds needs a class with at least ${k} rows.`)
  }
  const sorted = [...encoded].sort((a, b) => a - b)
  // allocation[f][c]: how many rows of class c fold f tests (np.bincount(y_order[f::k]))
  const allocation = Array.from({ length: k }, (_, f) => {
    const row = new Array<number>(classes).fill(0)
    for (let i = f; i < n; i += k) row[sorted[i]]++
    return row
  })
  const testFold = new Array<number>(n)
  for (let c = 0; c < classes; c++) {
    const folds = allocation.flatMap((row, f) => new Array<number>(row[c]).fill(f))
    let next = 0
    for (let i = 0; i < n; i++) if (encoded[i] === c) testFold[i] = folds[next++]
  }
  const tests = Array.from({ length: k }, () => [] as number[])
  testFold.forEach((f, i) => tests[f].push(i))
  return fromTestSets(n, tests)
}
