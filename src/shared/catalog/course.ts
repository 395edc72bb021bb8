/**
 * The course's defaults, in one place: the DataLoader lecture (cars.csv, wt → mpg, one
 * nn.Linear, SGD lr 0.02, batch 2, 1000 epochs, no shuffle) that `lab train` runs with no
 * options and the window starts from, and skorch's search defaults (batch 128, shuffled).
 */
export const COURSE = {
  dataset: 'cars',
  optimizer: 'SGD',
  lr: 0.02,
  epochs: 1000,
  batchSize: 2,
  shuffle: false,
  /** the hidden layers the MLP shorthand starts from */
  hidden: [16, 16],
  hiddenActivation: 'ReLU',
  search: { epochs: 100, batchSize: 128, shuffle: true, cv: 3 },
} as const
