/**
 * The score and time columns of sklearn's GridSearchCV.cv_results_, named as sklearn names
 * them, with where each value sits in a SearchRow. The CLI's --json and the search's CSV both
 * read this list, so a student's pandas code finds the same columns in either.
 */
import type { SearchRow } from './api'

export interface CvResultsColumn {
  name: string
  value(row: SearchRow): number | null
}

export function cvResultsColumns(folds: number): CvResultsColumn[] {
  return [
    ...Array.from({ length: folds }, (_, i) => ({
      name: `split${i}_test_score`,
      value: (r: SearchRow) => r.splitScores[i] ?? null,
    })),
    { name: 'mean_test_score', value: (r) => r.meanTestScore },
    { name: 'std_test_score', value: (r) => r.stdTestScore },
    { name: 'rank_test_score', value: (r) => r.rankTestScore },
    { name: 'mean_fit_time', value: (r) => r.meanFitTime },
    { name: 'std_fit_time', value: (r) => r.stdFitTime },
  ]
}
