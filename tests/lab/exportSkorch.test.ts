/** The search as skorch + GridSearchCV code, run in Debian's real skorch. */
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { searchConfigFromArgv } from '../../src/main/cli/searchArgs'
import { parseCsv } from '../../src/main/lab/data/csv'
import { prepareData } from '../../src/main/lab/data/dataset'
import { optimizerOf } from '../../src/shared/catalog/optimizers'
import type { SearchSummary } from '../../src/shared/api'
import type { SearchConfig } from '../../src/shared/schemas'
import { applySetting, checkSearchConfig, type Params } from '../../src/shared/searchGrid'
import { createService, ROOT, tempDir } from '../helpers/lab'
import { PYTHON } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const run = promisify(execFile)

/** runs a script and reads its last line: `print(gs.best_score_, gs.best_params_)` */
async function runScript(path: string): Promise<{ score: number; params: Record<string, unknown> }> {
  const { stdout } = await run(PYTHON, [path], { env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' }, maxBuffer: 16 * 1024 * 1024 })
  const last = stdout.trim().split('\n').at(-1)!
  const match = /^(\S+) (\{.*\})$/.exec(last)
  expect(match, last).not.toBeNull()
  const params = JSON.parse(match![2].replace(/'/g, '"').replace(/<class "([^"]+)">/g, '"$1"').replace(/\(([^()]*)\)/g, (_, inner: string) => `[${inner.replace(/,\s*$/, '')}]`)) as Record<string, unknown>
  return { score: Number(match![1]), params }
}

describe('lab search --export-py', () => {
  it('writes the course grid as skorch code that picks the same best setting as TorchLab (lr 0.05, 500 epochs)', async () => {
    const argv = ['--grid', 'lr=0.02,0.05,0.08', '--grid', 'epochs=10,200,500']
    const path = join(tempDir(), 'search.py')
    const { stdout } = await run('npx', ['tsx', 'src/main/cli.ts', 'search', ...argv, '--export-py', path], { cwd: ROOT })
    expect(stdout).toMatch(/wrote .*search\.py/)
    const script = readFileSync(path, 'utf8')
    expect(script).toMatch(/GridSearchCV\(model, params, cv=3, scoring="r2"/)
    expect(script).toMatch(/batch_size=128,/)
    expect(script).toMatch(/parallel_backend\("dask"\)/)
    expect(script.trim().split('\n').at(-1)).toBe('print(gs.best_score_, gs.best_params_)')

    const { searchId } = await service.startSearch(searchConfigFromArgv(argv).config)
    const ours = await service.waitForSearch(searchId)
    const skorch = await runScript(path)
    expect(ours.bestParams).toEqual({ lr: 0.05, epochs: 500 })
    expect(skorch.params).toEqual({ lr: ours.bestParams!.lr, max_epochs: ours.bestParams!.epochs })
    expect(Math.abs(skorch.score - ours.bestScore!)).toBeLessThan(0.05)
  }, 600_000)

  it('a classifier with scaling and a searched hidden size becomes a Pipeline that skorch runs', async () => {
    const argv = ['--data', 'iris', '--model', 'mlp', '--hidden', '8', '--activation', 'tanh', '--scale', 'standard', '--optimizer', 'adam', '--lr', '0.05', '--epochs', '5', '--grid', 'hidden=4,8x8', '--cv', '2']
    const path = join(tempDir(), 'iris.py')
    await service.exportSearchPython({ config: searchConfigFromArgv(argv).config, path })
    const script = readFileSync(path, 'utf8')
    expect(script).toMatch(/NeuralNetClassifier/)
    expect(script).toMatch(/"net__module__hidden": \[\(4,\), \(8, 8,\)\]/)
    const { params } = await runScript(path)
    expect(Object.keys(params)).toEqual(['net__module__hidden'])
  }, 300_000)

  it('reads a file whose header pandas renames (a blank name, a repeated one) in its own encoding, as TorchLab read it', async () => {
    const dir = tempDir()
    const csvPath = join(dir, 'masses.csv')
    // pandas' to_csv index has a blank name; "masse" twice, the second is the feature; a cp1252 û in the target's name
    const lines = [',masse,masse,coût', ...Array.from({ length: 30 }, (_, i) => `${i},${(i * 7) % 5},${(i / 10).toFixed(1)},${(3 * (i / 10) + 2).toFixed(2)}`)]
    writeFileSync(csvPath, Buffer.from(lines.join('\n') + '\n', 'latin1'))
    const config = {
      dataset: { source: { kind: 'file' as const, path: csvPath }, parse: { encoding: 'windows-1252' as const }, features: ['masse.1'], target: 'coût' },
      model: { kind: 'linear' as const },
      train: { optimizer: { name: 'SGD' as const, lr: 0.05 }, epochs: 100, batchSize: 4 },
      grid: { lr: [0.02, 0.1] },
      cv: 3,
    }
    const path = join(dir, 'masses.py')
    await service.exportSearchPython({ config, path })
    const { searchId } = await service.startSearch(config)
    const ours = await service.waitForSearch(searchId)
    const skorch = await runScript(path)
    expect(skorch.params).toEqual({ lr: ours.bestParams!.lr })
    expect(Math.abs(skorch.score - ours.bestScore!)).toBeLessThan(0.01)
  }, 300_000)

  it('refuses a search it cannot write, with a message', async () => {
    const argv = ['--x', 'weight', '--grid', 'lr=0.1']
    await expect(service.exportSearchPython({ config: searchConfigFromArgv(argv).config, path: join(tempDir(), 'x.py') })).rejects.toThrow(/"weight" is not in this file/)
  })
})

/**
 * Runs a written script in Debian's skorch, then reads back what GridSearchCV actually built for
 * each setting it tried: the optimizer and its param_group, the criterion's argument, its score;
 * and how many batches the refit's last epoch took, and the X it was given.
 */
const INSPECT = `
import json, math, runpy, sys
from sklearn.base import clone
g = runpy.run_path(sys.argv[1], run_name="__main__")
gs = g["gs"]
net_of = lambda est: est.steps[-1][1] if hasattr(est, "steps") else est
settings = []
for params, score in zip(gs.cv_results_["params"], gs.cv_results_["mean_test_score"]):
    net = net_of(clone(gs.estimator).set_params(**params)).initialize()
    group = {k: v for k, v in net.optimizer_.param_groups[0].items() if k != "params"}
    criterion = {k: getattr(net.criterion_, k) for k in ("delta", "beta") if hasattr(net.criterion_, k)}
    settings.append({"optimizer": type(net.optimizer_).__name__, "group": group, "criterion": type(net.criterion_).__name__, "criterionArgs": criterion, "score": None if math.isnan(score) else score})
refit = net_of(gs.best_estimator_)
print(json.dumps({"settings": settings, "batches": len(refit.history[-1]["batches"]), "X": g["X"].tolist()}))
`

interface Inspected {
  settings: { optimizer: string; group: Record<string, unknown>; criterion: string; criterionArgs: Record<string, number>; score: number | null }[]
  batches: number
  X: number[][]
}

async function inspect(path: string): Promise<Inspected> {
  const { stdout } = await run(PYTHON, ['-c', INSPECT, path], { env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' }, maxBuffer: 64 * 1024 * 1024 })
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Inspected
}

/** each setting skorch built has the optimizer, every optimizer argument and the loss TorchLab trained that setting with */
function expectSettingsAsTorchLab(config: SearchConfig, rows: { params: Params }[], built: Inspected['settings']): void {
  expect(built.length).toBe(rows.length)
  rows.forEach((row, i) => {
    const { train } = applySetting(config.model, config.train, row.params)
    const values = train.optimizer as unknown as Record<string, unknown>
    const ours = Object.fromEntries(optimizerOf(train.optimizer.name).args.map((a) => [a.torch, values[a.key]]))
    const theirs = Object.fromEntries(Object.keys(ours).map((k) => [k, built[i].group[k]]))
    expect({ optimizer: built[i].optimizer, ...theirs, criterion: built[i].criterion }, JSON.stringify(row.params)).toEqual({ optimizer: train.optimizer.name, ...ours, criterion: train.loss })
    if (train.loss === 'HuberLoss') expect(built[i].criterionArgs.delta).toBe(train.huberDelta)
    if (train.loss === 'SmoothL1Loss') expect(built[i].criterionArgs.beta).toBe(train.smoothL1Beta)
    expect(built[i].score, `setting ${i} scored NaN in skorch`).not.toBeNull()
  })
}

/** the search TorchLab runs and the one its exported script builds in skorch, each setting checked alike */
async function searchedBothWays(config: SearchConfig, script: string): Promise<{ ours: SearchSummary; skorch: Inspected }> {
  const path = join(tempDir(), script)
  await service.exportSearchPython({ config, path })
  const ours = await service.waitForSearch((await service.startSearch(config)).searchId)
  const skorch = await inspect(path)
  expectSettingsAsTorchLab(config, ours.rows, skorch.settings)
  return { ours, skorch }
}

describe('the skorch script trains each setting as TorchLab trains it', () => {
  const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' }

  it('SGD with momentum, dampening and weight decay searched against Adam and RMSprop: each keeps only the arguments TorchLab gives it (Adam got momentum=0.9 and scored NaN before)', async () => {
    const config = checkSearchConfig({
      dataset: { ...cars, scale: 'standard' },
      model: { kind: 'linear' },
      train: { loss: 'HuberLoss', huberDelta: 0.5, optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9, dampening: 0.1, weightDecay: 0.001 }, epochs: 3, batchSize: 8, dropLast: true },
      grid: { optimizer: ['SGD', 'Adam', 'RMSprop'], lr: [0.01, 0.02] },
      cv: 2,
    })
    const { skorch } = await searchedBothWays(config, 'optimizers.py')
    // the refit on all 32 rows in batches of 8 or, with drop_last, of 8 and no short one
    expect(skorch.batches).toBe(4)
  }, 300_000)

  it('Adam with its betas, eps and amsgrad, HuberLoss searched beside MSELoss, drop_last on 32 rows in batches of 5: the script builds the same', async () => {
    const config = checkSearchConfig({
      dataset: cars,
      model: { kind: 'mlp', hidden: [{ units: 3, activation: 'Tanh' }] },
      train: { loss: 'MSELoss', huberDelta: 2.5, optimizer: { name: 'Adam', lr: 0.01, betas: [0.5, 0.75], eps: 1e-4, amsgrad: true }, epochs: 2, batchSize: 5, dropLast: true },
      grid: { loss: ['MSELoss', 'HuberLoss'] },
      cv: 2,
    })
    const { skorch } = await searchedBothWays(config, 'adam.py')
    // drop_last: 32 rows make 6 batches of 5, the short seventh left out as TorchLab leaves it
    expect(skorch.batches).toBe(6)
  }, 300_000)

  it('a random search tries the settings TorchLab drew, in its order (the script searched the whole grid before)', async () => {
    const config = checkSearchConfig({
      dataset: cars,
      model: { kind: 'linear' },
      train: { optimizer: { name: 'Adagrad', lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1 }, epochs: 2, batchSize: 8 },
      grid: { lr: [0.001, 0.1], epochs: [1, 2, 3] },
      random: { nIter: 4, seed: 5 },
      cv: 2,
    })
    const { ours, skorch } = await searchedBothWays(config, 'random.py')
    expect(skorch.settings.map((s) => s.group.lr)).toEqual(ours.rows.map((r) => r.params.lr))
  }, 300_000)

  it("fills missing features with the mean TorchLab fills them with, from a semicolon CSV with decimal commas at a path with spaces and accents", async () => {
    const dir = join(tempDir(), "données d'essai")
    mkdirSync(dir)
    const csvPath = join(dir, 'mesures été.csv')
    const lines = ['a;b;y', ...Array.from({ length: 24 }, (_, i) => `${i % 5 === 2 ? 'NA' : ((i * 7) % 11) / 3};${i % 7 === 4 ? '' : ((i * 5) % 13) / 7};${(i / 3).toFixed(2)}`)]
    writeFileSync(csvPath, lines.map((l) => l.replace(/\./g, ',')).join('\n') + '\n')
    const dataset = { source: { kind: 'file' as const, path: csvPath }, features: ['a', 'b'], target: 'y', missing: 'mean' as const }
    const config = checkSearchConfig({ dataset, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 2, batchSize: 4 }, grid: { lr: [0.01, 0.02] }, cv: 2 })
    const path = join(dir, 'recherche.py')
    await service.exportSearchPython({ config, path })
    const table = parseCsv(readFileSync(csvPath, 'utf8'), {})
    expect(table.delimiter).toBe(';')
    const prepared = prepareData(table, { ...config.dataset, scale: 'none', valSplit: 0 }, 'MSELoss')
    const skorch = await inspect(path)
    expect(Float32Array.from(skorch.X.flat())).toEqual(prepared.train.x)
    expect(skorch.settings.map((s) => s.group.lr)).toEqual([0.01, 0.02])
  }, 300_000)
})

describe('a search the skorch script cannot write', () => {
  it("refuses an activation with its own arguments, naming it, where the script would build PyTorch's defaults", async () => {
    const config = {
      dataset: { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' },
      model: { kind: 'sequential' as const, layers: [{ kind: 'Linear' as const, outFeatures: 4 }, { kind: 'LeakyReLU' as const, negativeSlope: 0.2 }, { kind: 'Linear' as const }] },
      train: { optimizer: { name: 'SGD' as const, lr: 0.01 }, epochs: 2, batchSize: 8 },
      grid: { lr: [0.01, 0.02] },
    }
    const path = join(tempDir(), 'leaky.py')
    await expect(service.exportSearchPython({ config, path })).rejects.toThrow(/builds each activation with PyTorch's defaults, and this model has nn\.LeakyReLU\(negative_slope=0\.2\)/)
  })
})
