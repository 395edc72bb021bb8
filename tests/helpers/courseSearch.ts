import type { SearchConfigInput } from '../../src/shared/schemas'

/** The course's grid search: skorch + GridSearchCV pick lr 0.05 with 500 epochs (r² 0.587). */
export const COURSE_SEARCH: SearchConfigInput = {
  dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' },
  train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 10 },
  grid: { lr: [0.02, 0.05, 0.08], epochs: [10, 200, 500] },
  cv: 3,
}
