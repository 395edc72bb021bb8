/**
 * The course's DataLoader lecture: everything that decides its numbers (w −5.7225, b 36.6935
 * after 1,000 epochs), in one place for the window's preset and its "Reset to the lecture".
 */
import { COURSE_PACE } from './pace'

export const COURSE = {
  dataset: { name: 'cars', features: ['wt'], target: 'mpg' },
  /** data preparation that changes results */
  prep: { missing: 'drop', scale: 'none', valSplit: 0, splitSeed: 0 },
  train: {
    loss: 'MSELoss',
    huberDelta: 1,
    optimizer: { name: 'SGD', lr: 0.02, momentum: 0, weightDecay: 0, nesterov: false },
    epochs: 1000,
    batchSize: 2,
    shuffle: false,
    seed: 0,
  },
  pace: COURSE_PACE,
} as const
