/**
 * The course's defaults, in one place: the DataLoader lecture (cars.csv, wt → mpg, one
 * nn.Linear, SGD lr 0.02, batch 2, 1000 epochs, no shuffle: w −5.7225, b 36.6935) that
 * `lab train` runs with no options, the window starts from and its preset and "Reset to the
 * lecture" restore — everything that decides those numbers — and skorch's search defaults
 * (batch 128, shuffled).
 */
import { COURSE_PACE } from '../pace'

export const COURSE = {
  dataset: 'cars',
  features: ['wt'],
  target: 'mpg',
  /** data preparation that changes results */
  prep: { missing: 'drop', scale: 'none', valSplit: 0, splitSeed: 0 },
  loss: 'MSELoss',
  optimizer: 'SGD',
  lr: 0.02,
  epochs: 1000,
  batchSize: 2,
  shuffle: false,
  /** the lecture's DataLoader keeps the last, shorter batch */
  dropLast: false,
  seed: 0,
  /** epochs per second the window unfolds the lecture at */
  pace: COURSE_PACE,
  /** the hidden layers the MLP shorthand starts from */
  hidden: [16, 16],
  hiddenActivation: 'ReLU',
  search: { epochs: 100, batchSize: 128, shuffle: true, cv: 3 },
} as const
