/**
 * A grid search against skorch + GridSearchCV(refit=True) on the same rows: each fold's scores,
 * the ranks, best_params_, and the refit on all rows (best_estimator_'s weights). skorch draws
 * each fit's initial weights from torch's global generator, so its fits here start from the
 * weights TorchLab drew for the same fit (found by the fit's targets), as a seeded course run would.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/main/lab/data/csv'
import { prepareData } from '../../src/main/lab/data/dataset'
import { initialStateDict } from '../../src/main/lab/model/init'
import { stateDictToJson } from '../../src/main/lab/model/stateDict'
import { kFold } from '../../src/main/lab/search/folds'
import { resolveModel } from '../../src/shared/modelSpec'
import { datasetSpecSchema, modelArchSchema, parseOptionsSchema, type SearchConfigInput } from '../../src/shared/schemas'
import { createService, DATASETS } from '../helpers/lab'
import { python } from '../helpers/python'
import { torchModules } from '../helpers/torchModules'

const service = createService()
afterAll(() => service.dispose())

const SKORCH = `
import warnings
import numpy as np, torch
from torch import nn
from skorch import NeuralNetRegressor
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
torch.set_num_threads(1)
warnings.simplefilter('ignore')
d = INPUT['d']
X = np.array(INPUT['x'], dtype=np.float32).reshape(-1, d)
y = np.array(INPUT['y'], dtype=np.float32).reshape(-1, 1)
# each fit's initial weights, by the bytes of the targets it is fitted on
INITS = {np.array(i['y'], dtype=np.float32).reshape(-1, 1).tobytes(): i['state'] for i in INPUT['inits']}

class Stack(nn.Sequential):
    def __init__(self):
        super().__init__(*[getattr(nn, m['type'])(**m['kwargs']) for m in INPUT['modules']])

class FromInits(NeuralNetRegressor):
    def fit(self, X, y=None, **kw):
        self.initialize()
        state = INITS[np.asarray(y, dtype=np.float32).tobytes()]
        self.module_.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in state.items()})
        return self.partial_fit(X, y, **kw)

net = FromInits(Stack, criterion=nn.MSELoss, optimizer=torch.optim.SGD, lr=0.01, max_epochs=1,
                batch_size=INPUT['batch_size'], iterator_train__shuffle=False, train_split=None, verbose=0)
scaled = INPUT['scale'] == 'standard'
model = Pipeline([('scale', StandardScaler()), ('net', net)]) if scaled else net
grid = {('net__' if scaled else '') + k: v for k, v in INPUT['grid'].items()}
gs = GridSearchCV(model, grid, cv=KFold(INPUT['cv']), scoring=INPUT['scoring'], refit=True)
gs.fit(X, y)
best = gs.best_estimator_[-1] if scaled else gs.best_estimator_
r = gs.cv_results_
print(json.dumps({
  'splits': [[float(r['split%d_test_score' % k][i]) for k in range(INPUT['cv'])] for i in range(len(r['params']))],
  'mean': [float(m) for m in r['mean_test_score']],
  'rank': [int(k) for k in r['rank_test_score']],
  'best': {k.replace('net__', ''): v for k, v in gs.best_params_.items()},
  'refit': {k: v.reshape(-1).tolist() for k, v in best.module_.state_dict().items()},
}))
`

describe("the grid search's refit", () => {
  it.each(['none', 'standard'] as const)("equals GridSearchCV(refit=True)'s best_estimator_ trained by skorch on all rows, after the same fold scores, ranks and best_params_ (scale %s: StandardScaler in a Pipeline, fitted on each fold's rows and then on all)", async (scale) => {
    const arch = { kind: 'sequential' as const, layers: [{ kind: 'Linear' as const, outFeatures: 3 }, { kind: 'Tanh' as const }, { kind: 'Linear' as const }] }
    const dataset = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg', scale }
    const config: SearchConfigInput = {
      dataset,
      model: arch,
      train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 5, batchSize: 8, shuffle: false, seed: 3 },
      grid: { lr: [0.003, 0.01], epochs: [5, 30] },
      cv: 3,
      scoring: 'r2',
      engine: 'dense',
    }
    const data = prepareData(parseCsv(readFileSync(join(DATASETS, 'cars.csv'), 'utf8'), parseOptionsSchema.parse({})), datasetSpecSchema.parse(dataset), 'MSELoss')
    const spec = resolveModel(modelArchSchema.parse(arch), 1, 1)
    const y = Array.from(data.train.y)
    const folds = kFold(data.train.n, 3)
    // the search draws fold f's weights from seed + f, and the refit's from the seed
    const inits = [...folds.map((f, k) => ({ y: f.train.map((i) => y[i]), seed: 3 + k })), { y, seed: 3 }].map(({ y, seed }) => ({ y, state: stateDictToJson(initialStateDict(spec, seed)) }))

    const { searchId } = await service.startSearch(config)
    const [ours, sk] = await Promise.all([
      service.waitForSearch(searchId),
      python<{ splits: number[][]; mean: number[]; rank: number[]; best: Record<string, number>; refit: Record<string, number[]> }>(SKORCH, {
        d: 1,
        x: Array.from(data.train.x),
        y,
        inits,
        modules: torchModules(spec),
        batch_size: 8,
        cv: 3,
        scoring: 'r2',
        scale,
        // GridSearchCV's names; ParameterGrid sorts them, as TorchLab does
        grid: { lr: [0.003, 0.01], max_epochs: [5, 30] },
      }),
    ])
    expect(ours.status).toBe('completed')
    ours.rows.forEach((row, i) => {
      row.splitScores.forEach((s, k) => expect(Math.abs(s! - sk.splits[i][k]), `setting ${i} fold ${k}`).toBeLessThan(1e-5))
      expect(row.rankTestScore).toBe(sk.rank[i])
    })
    expect(ours.bestParams).toEqual({ lr: sk.best.lr, epochs: sk.best.max_epochs })
    const refit = ours.refit!.stateDict as Record<string, unknown>
    for (const [name, values] of Object.entries(sk.refit)) {
      const got = [refit[name]].flat(2) as number[]
      values.forEach((v, j) => expect(Math.abs(got[j] - v), `${name}[${j}]`).toBeLessThan(1e-5))
    }
  })
})
