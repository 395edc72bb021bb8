/**
 * `lab search` options -> a SearchConfig: the data, model and training options of `lab train`
 * (with skorch's batch 128, shuffled, as defaults) plus --grid, --cv, --scoring, --random, --n-jobs.
 */
import { COURSE } from '../../shared/catalog/course'
import { labError } from '../../shared/errors'
import { SCORINGS, SEARCH_PARAMS, type SearchConfigInput } from '../../shared/schemas'
import { parseGrid } from '../../shared/searchGrid'
import { parseCommandArgs } from './args'
import { CSV_HELP } from './csvArgs'
import { RUN_OPTIONS, trainRequestFromArgs } from './trainArgs'

/** every fit runs on the engine's own backend, from its seed's weights, validated by its folds (not a split), and saves nothing */
const SEARCHED_RUN_OPTIONS = Object.fromEntries(Object.entries(RUN_OPTIONS).filter(([k]) => k !== 'backend' && k !== 'val-split')) as Omit<typeof RUN_OPTIONS, 'backend' | 'val-split'>

export const SEARCH_OPTIONS = {
  ...SEARCHED_RUN_OPTIONS,
  'batch-size': { type: 'string', default: String(COURSE.search.batchSize) },
  'no-shuffle': { type: 'boolean', default: false },
  epochs: { type: 'string', default: String(COURSE.search.epochs) },
  grid: { type: 'string', multiple: true, default: [] as string[] },
  cv: { type: 'string', default: String(COURSE.search.cv) },
  scoring: { type: 'string' },
  random: { type: 'string' },
  'n-jobs': { type: 'string' },
  csv: { type: 'string' },
  'export-py': { type: 'string' },
} as const

export function searchConfigFromArgv(argv: string[]): { config: SearchConfigInput; json: boolean; csv?: string; exportPy?: string; help: boolean } {
  const { values } = parseCommandArgs(argv, SEARCH_OPTIONS, 'search')
  const request = trainRequestFromArgs({ ...values, backend: 'auto', 'val-split': '0', shuffle: COURSE.search.shuffle && !values['no-shuffle'] })
  const int = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined
    const n = Number(v)
    if (!Number.isInteger(n)) throw labError('INVALID_ARGUMENT', `--${flag} must be a whole number, not "${v}".`)
    return n
  }
  const scoring = values.scoring
  if (scoring !== undefined && !(SCORINGS as readonly string[]).includes(scoring)) {
    throw labError('INVALID_ARGUMENT', `Unknown --scoring "${scoring}". Choose one of: ${SCORINGS.join(', ')}.`)
  }
  const random = int('random', values.random)
  return {
    config: {
      dataset: request.dataset,
      model: request.model,
      train: request.train,
      grid: parseGrid(values.grid),
      cv: int('cv', values.cv),
      scoring: scoring as SearchConfigInput['scoring'],
      random: random === undefined ? undefined : { nIter: random, seed: Number(values.seed) },
      nJobs: int('n-jobs', values['n-jobs']),
      engine: request.engine,
    },
    json: values.json,
    csv: values.csv,
    exportPy: values['export-py'],
    help: values.help,
  }
}

export const SEARCH_HELP = `lab search — grid or random search with k-fold cross-validation (as skorch + GridSearchCV)

  the data, model and training options of lab train (defaults here: --batch-size 128, shuffled, --epochs 100), such as
${CSV_HELP}  --grid NAME=v1,v2,…      repeat for each hyperparameter: ${SEARCH_PARAMS.join(', ')}
                           (hidden sizes as 16 or 16x16)
  --cv 3                   folds: KFold for regression, StratifiedKFold for classification
  --scoring ${SCORINGS.join('|')}
  --random N               N random settings instead of the full grid (lr log-uniform)
  --n-jobs N               parallel fits (default: one per core)
  --no-shuffle  --csv FILE  --json
  --export-py FILE         write the search as skorch + GridSearchCV code instead of running it
`
