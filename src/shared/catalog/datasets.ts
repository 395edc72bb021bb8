/**
 * The course data sets shipped under resources/datasets (nothing is fetched at run time): what
 * the service lists, the window offers and the CLI's --data names, in one place.
 */
import type { BundledDataset } from '../api'

export const BUNDLED: readonly BundledDataset[] = [
  {
    name: 'cars',
    title: 'Cars (mtcars)',
    description: '32 cars from 1974: fuel economy (mpg) against weight (wt, 1000 lbs) and more. The course data.',
    suggestedFeatures: ['wt'],
    suggestedTarget: 'mpg',
    task: 'regression',
  },
  {
    name: 'iris',
    title: 'Iris',
    description: '150 flowers, 4 measurements each, 3 species to tell apart.',
    suggestedFeatures: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
    suggestedTarget: 'species',
    task: 'classification',
  },
  {
    name: 'diabetes',
    title: 'Diabetes',
    description: '442 patients, 10 measurements, disease progression after one year (unscaled).',
    suggestedFeatures: ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'],
    suggestedTarget: 'target',
    task: 'regression',
  },
  {
    name: 'wine',
    title: 'Wine',
    description: '178 wines, 13 chemical measurements, 3 cultivars.',
    suggestedFeatures: [
      'alcohol',
      'malic_acid',
      'ash',
      'alcalinity_of_ash',
      'magnesium',
      'total_phenols',
      'flavanoids',
      'nonflavanoid_phenols',
      'proanthocyanins',
      'color_intensity',
      'hue',
      'od280/od315_of_diluted_wines',
      'proline',
    ],
    suggestedTarget: 'cultivar',
    task: 'classification',
  },
]
