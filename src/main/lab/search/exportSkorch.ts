/**
 * A search as the course's code: skorch wraps the nn.Module, GridSearchCV tries every setting
 * with the same data, folds, grid, scoring, batch size and epochs as TorchLab, and the script
 * ends printing gs.best_score_ and gs.best_params_ as the lecture does. skorch's names for
 * TorchLab's hyperparameters: lr, max_epochs, batch_size, optimizer, optimizer__momentum,
 * module__hidden, module__activation, criterion.
 */
import { labError } from '../../../shared/errors'
import { py } from '../../../shared/pytorchCode'
import type { Task } from '../../../shared/api'
import { isActivation, type ActivationName } from '../../../shared/catalog/activations'
import { keywordArgs } from '../../../shared/catalog/args'
import { LOSS_TABLE } from '../../../shared/catalog/losses'
import { optimizerOf } from '../../../shared/catalog/optimizers'
import { moduleOf } from '../../../shared/layers'
import { mlpLayers } from '../../../shared/modelSpec'
import type { ModelArch, ParseOptions, SearchConfig, SearchParam, SearchValue, Scoring, TrainConfig } from '../../../shared/schemas'
import { applySetting, expandGrid, sampleSettings, sortedParams, type Params } from './grid'
import { MISSING_CELLS } from '../data/cells'
import { numberCode, ORDERED_SUM_CODE, PANDAS_NAMES_CODE, PY_ENCODING } from '../data/pythonReading'

/**
 * TorchLab fills a search's missing features before its folds, with each column's mean over the
 * searched rows in float64 added in order (a SimpleImputer in the Pipeline would take each fold's
 * mean instead, in float32: another fill, so other inputs)
 */
const MEAN_FILL_CODE = `# missing features get the column's mean over all rows, as TorchLab fills them before the folds
for j in range(len(FEATURES)):
    present = [row[j] for row in X if not math.isnan(row[j])]
    mean = ordered_sum(present) / len(present)
    for row in X:
        if math.isnan(row[j]):
            row[j] = mean`

export interface SkorchExport {
  config: SearchConfig
  task: Task
  scoring: Scoring
  csvPath: string
  /** the encoding, delimiter and decimal mark TorchLab read the file with */
  encoding: ParseOptions['encoding']
  delimiter: string
  decimal: '.' | ','
}

/** skorch's parameter name, and a TorchLab value written as Python */
const SKORCH: Record<SearchParam, { name: string; value: (v: SearchValue) => string }> = {
  lr: { name: 'lr', value: py },
  epochs: { name: 'max_epochs', value: py },
  batch_size: { name: 'batch_size', value: py },
  optimizer: { name: 'optimizer', value: (v) => `torch.optim.${String(v)}` },
  momentum: { name: 'optimizer__momentum', value: py },
  hidden: { name: 'module__hidden', value: (v) => `(${(Array.isArray(v) ? v : [v]).join(', ')},)` },
  activation: { name: 'module__activation', value: (v) => `nn.${String(v)}` },
  loss: { name: 'criterion', value: (v) => `nn.${String(v)}` },
}

const NET: Record<Task, string> = { regression: 'NeuralNetRegressor', binary: 'NeuralNetBinaryClassifier', multiclass: 'NeuralNetClassifier' }

function moduleClass(task: Task): string {
  // a binary classifier's skorch net wants one logit per row, not a column
  const out = task === 'binary' ? 'self.layers(x).squeeze(-1)' : 'self.layers(x)'
  return `class Net(nn.Module):
    """nn.Linear alone (the course's LinearRegressionTorch) or an MLP: Linear layers with an activation between them."""

    def __init__(self, input_size=1, output_size=1, hidden=(), activation=nn.ReLU):
        super().__init__()
        sizes = [input_size, *hidden]
        layers = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            layers += [nn.Linear(n_in, n_out), activation()]
        self.layers = nn.Sequential(*layers, nn.Linear(sizes[-1], output_size))

    def forward(self, x):
        return ${out}
`
}

/** the hidden sizes and the one activation of a Linear+activation stack, the shape the script's Net builds */
function mlpShape(model: ModelArch): { hidden: number[]; activation: ActivationName } {
  if (model.kind === 'linear') return { hidden: [], activation: 'ReLU' }
  const linears = model.layers.filter((l) => l.kind === 'Linear')
  const hidden = linears.slice(0, -1).map((l) => l.outFeatures ?? 0)
  const activation = model.layers.find((l) => isActivation(l.kind))?.kind as ActivationName | undefined
  const rebuilt = activation ? mlpLayers(hidden, activation) : hidden.length === 0 ? mlpLayers([], 'ReLU') : []
  if (JSON.stringify(rebuilt) !== JSON.stringify(model.layers)) {
    // the same stack with its activations' own arguments: those alone are what the script would change
    const shaped = rebuilt.length === model.layers.length && rebuilt.every((l, i) => l.kind === model.layers[i].kind)
    const argued = shaped ? model.layers.find((l, i) => JSON.stringify(l) !== JSON.stringify(rebuilt[i])) : undefined
    if (argued) {
      throw labError(
        'INVALID_ARGUMENT',
        `The skorch script builds each activation with PyTorch's defaults, and this model has ${moduleOf(argued).code(argued, 0)}: its search cannot be exported yet. Give ${argued.kind} its defaults to export it.`,
      )
    }
    throw labError(
      'INVALID_ARGUMENT',
      'The skorch script builds Linear layers with one activation between them; this model has other layers (BatchNorm1d, Dropout) or mixed activations, so its search cannot be exported yet.',
    )
  }
  return { hidden, activation: activation ?? 'ReLU' }
}

/**
 * skorch's keyword arguments for a setting's loss and optimizer beyond what the grid names:
 * those away from torch's defaults, as TorchLab trains that setting (shared/searchGrid)
 */
function fixedArgs(train: TrainConfig, searched: readonly SearchParam[]): string[] {
  const skip = ['lr', ...(searched.includes('momentum') ? ['momentum'] : [])]
  return [
    ...keywordArgs(LOSS_TABLE[train.loss].args, train as unknown as Record<string, unknown>).map((a) => `criterion__${a}`),
    ...keywordArgs(optimizerOf(train.optimizer.name).args, train.optimizer as unknown as Record<string, unknown>, skip).map((a) => `optimizer__${a}`),
  ]
}

/**
 * The settings GridSearchCV tries: the grid as the course writes it when it means what TorchLab
 * tried, else every setting TorchLab tried, one dict each in its order. Random draws, and a
 * grid of optimizers whose arguments differ (SGD's momentum is not Adam's), are written out so;
 * a net-wide optimizer__momentum would reach Adam too, which raises, and the fit scores NaN.
 */
function settingsCode(config: SearchConfig, prefix: string): { params: string; netArgs: string[] } {
  const keys = sortedParams(config.grid)
  const settings: Params[] = config.random ? sampleSettings(config.grid, config.random.nIter, config.random.seed) : expandGrid(config.grid)
  const args = settings.map((p) => fixedArgs(applySetting(config.model, config.train, p).train, keys))
  const name = (key: string) => py(prefix + key)
  if (!config.random && args.every((a) => a.join() === args[0].join())) {
    return { params: `{\n${keys.map((k) => `    ${name(SKORCH[k].name)}: [${config.grid[k]!.map(SKORCH[k].value).join(', ')}],`).join('\n')}\n}`, netArgs: args[0] }
  }
  const entries = settings.map((p, i) => {
    const searched = keys.map((k) => `${name(SKORCH[k].name)}: [${SKORCH[k].value(p[k]!)}]`)
    const fixed = args[i].map((a) => {
      const at = a.indexOf('=')
      return `${name(a.slice(0, at))}: [${a.slice(at + 1)}]`
    })
    return `    {${[...searched, ...fixed].join(', ')}},`
  })
  const why = config.random ? `the ${settings.length} random settings TorchLab drew` : 'every setting TorchLab tried, with the optimizer arguments each one trains with'
  return { params: `[  # ${why}, in its order\n${entries.join('\n')}\n]`, netArgs: [] }
}

export function exportSkorch(input: SkorchExport): string {
  const { config, task, scoring } = input
  const { dataset, model, train } = config
  const { hidden, activation } = mlpShape(model)
  const opt = train.optimizer
  const pipeline = dataset.scale === 'standard'
  const prefix = pipeline ? 'net__' : ''
  const settings = settingsCode(config, prefix)
  const yCode =
    task === 'regression'
      ? 'y = np.array([[number(r[TARGET])] for r in rows], dtype=np.float32)'
      : `labels = [r[TARGET].strip() for r in rows]
try:  # class labels numbered in sorted order, numerically when they are numbers, as TorchLab does
    classes = sorted(set(float(v) for v in labels))
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[float(v)] for v in labels])
except ValueError:
    classes = sorted(set(labels))
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[v] for v in labels])
y = y.astype(${task === 'binary' ? 'np.float32' : 'np.int64'})`
  return `"""The grid search built in TorchLab, as the course writes it: skorch + GridSearchCV.

Data: ${input.csvPath} (${dataset.features.join(', ')} -> ${dataset.target}); ${config.cv}-fold cross-validation; scoring ${scoring}.
Every setting is trained on each fold's training rows and scored on its test rows, then the
best is refit on all rows. Run it with: python3 this_file.py
"""
import collections
import csv
import math
import re

import numpy as np
import torch
from torch import nn
from sklearn.model_selection import GridSearchCV
${pipeline ? 'from sklearn.pipeline import Pipeline\nfrom sklearn.preprocessing import StandardScaler\n' : ''}from skorch import ${NET[task]}

CSV_PATH = ${py(input.csvPath)}
FEATURES = ${py(dataset.features)}
TARGET = ${py(dataset.target)}
MISSING = {${MISSING_CELLS.map(py).join(', ')}}


${numberCode(input.decimal, dataset.parse.badCells)}


${PANDAS_NAMES_CODE}


${ORDERED_SUM_CODE}


with open(CSV_PATH, newline="", encoding=${py(PY_ENCODING[input.encoding])}) as f:
    table = list(csv.reader(f, delimiter=${py(input.delimiter)}))
# the columns by the names TorchLab gave them; blank lines are not rows
names = pandas_names([name.strip() for name in table.pop(0)])
rows = [dict(zip(names, r)) for r in table if len(r) == len(names)]
# a row without a target is never used; ${dataset.missing === 'drop' ? 'rows missing a feature are dropped too' : 'missing features are filled below'}
rows = [r for r in rows if r[TARGET].strip().lower() not in MISSING${dataset.missing === 'drop' ? ' and all(r[c].strip().lower() not in MISSING for c in FEATURES)' : ''}]
X = [[number(r[c]) for c in FEATURES] for r in rows]
${dataset.missing === 'mean' ? `${MEAN_FILL_CODE}\n` : ''}X = np.array(X, dtype=np.float32)
${yCode}


${moduleClass(task)}

torch.manual_seed(${train.seed})
net = ${NET[task]}(
    Net,
    module__input_size=X.shape[1],
    module__output_size=${task === 'multiclass' ? 'len(classes)' : '1'},
    module__hidden=(${hidden.map((h) => `${h}, `).join('')}),
    module__activation=nn.${activation},
    criterion=nn.${train.loss},
    optimizer=torch.optim.${opt.name},
    lr=${opt.lr},${settings.netArgs.map((a) => `\n    ${a},`).join('')}
    max_epochs=${train.epochs},
    batch_size=${train.batchSize},
    iterator_train__shuffle=${py(train.shuffle)},${train.dropLast ? '\n    iterator_train__drop_last=True,  # as TorchLab, each epoch leaves out the last batch when it is short' : ''}
    train_split=None,  # TorchLab trains each fold on all of its training rows
    verbose=0,
)
${pipeline ? `model = Pipeline([('scale', StandardScaler()), ('net', net)])` : 'model = net'}

params = ${settings.params}
gs = GridSearchCV(model, params, cv=${config.cv}, scoring=${py(scoring)}, refit=${py(config.refit)}, verbose=0)

# On a cluster, joblib's Dask backend sends the fits to the workers (pip install dask distributed):
#     from dask.distributed import Client
#     from joblib import parallel_backend
#     client = Client("tcp://SCHEDULER:8786")
#     with parallel_backend("dask"):
#         gs.fit(X, y)
gs.fit(X, y)
print(gs.best_score_, gs.best_params_)
`
}
