/**
 * `lab export-py` over a spread of settings: each run TorchLab trained is saved, exported, and
 * the script run in Debian's real PyTorch. The script must print TorchLab's loss for every epoch
 * (and validation loss), and end on TorchLab's weights: a script that runs but trains something
 * else is the defect this looks for.
 */
import { execFile } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import type { TrainRequestInput } from '../../src/shared/schemas'
import { expectStateDictClose } from '../helpers/compare'
import { createService, tempDir } from '../helpers/lab'
import { python, PYTHON } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const run = promisify(execFile)
const dir = join(tempDir('torchlab-export-runs-'), 'mes essais à Zürich')
mkdirSync(dir)

/** a semicolon CSV with decimal commas, a gap in a feature now and then, and a label column */
function gappyCsv(name: string, rows: number): string {
  const path = join(dir, name)
  const lines = ['x1;x2;x3;y;kind;ok']
  for (let i = 0; i < rows; i++) {
    const x1 = i % 9 === 4 ? 'NA' : (((i * 37) % 23) / 7).toFixed(3)
    const x2 = i % 11 === 6 ? '' : (((i * 13) % 17) / 4 - 2).toFixed(2)
    const x3 = ((i * 29) % 31) / 10
    const y = (0.5 * Number(x1 === 'NA' ? 1 : x1) - 0.3 * x3 + ((i * 7) % 5) / 10).toFixed(3)
    lines.push([x1, x2, x3.toFixed(1), y, ['oui', 'non', 'peut-être'][(i * 7 + (i >> 2)) % 3], (i * 5) % 7 < 3 ? 'ja' : 'nein'].join(';').replace(/\./g, ','))
  }
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

const gappy = gappyCsv('données été.csv', 47)

/** cells Python's float() reads as numbers and TorchLab does not: read as missing with badCells 'missing' */
function oddCellsCsv(): string {
  const path = join(dir, 'odd cells.csv')
  const odd = ['1_000', '１２', '٣', 'Infinity ', '1,5']
  const lines = ['a,b,y', ...Array.from({ length: 30 }, (_, i) => `${i % 6 === 1 ? `"${odd[(i - 1) / 6]}"` : ((i * 7) % 10) / 4},${((i * 3) % 7) / 2},${(i / 5).toFixed(2)}`)]
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

const cars = { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt', 'hp'], target: 'mpg' }
const iris = { source: { kind: 'bundled' as const, name: 'iris' as const }, features: ['sepal_length', 'petal_width'], target: 'species' }
const file = (missing: 'mean' | 'drop', target = 'y') => ({ source: { kind: 'file' as const, path: gappy }, features: ['x1', 'x2', 'x3'], target, missing })

/** no header row, tabs, a row of another width now and then (skipped) */
function headerlessCsv(): string {
  const path = join(dir, 'sans en-tête.tsv')
  const lines = Array.from({ length: 26 }, (_, i) => (i % 8 === 5 ? `${i}\t1` : `${((i * 11) % 9) / 2}\t${((i * 5) % 7) / 3}\t${(i / 4).toFixed(2)}`))
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

const CASES: [string, TrainRequestInput][] = [
  [
    'a file without a header row, tab-separated, its rows of another width skipped',
    { dataset: { source: { kind: 'file', path: headerlessCsv() }, parse: { header: 'no', badRows: 'skip' }, features: ['column 1', 'column 2'], target: 'column 3', valSplit: 0.2, splitSeed: 2 }, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 6, batchSize: 4, shuffle: true, seed: 1 } },
  ],
  [
    'SGD nesterov with weight decay, shuffled, drop_last, validation split, standard scaling',
    { dataset: { ...cars, scale: 'standard', valSplit: 0.2, splitSeed: 4 }, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.03, momentum: 0.8, weightDecay: 0.01, nesterov: true }, epochs: 9, batchSize: 5, shuffle: true, dropLast: true, seed: 2 } },
  ],
  [
    'SGD with dampening, L1Loss, mean-filled gaps in a semicolon file with decimal commas',
    { dataset: { ...file('mean'), scale: 'none', valSplit: 0.25, splitSeed: 9 }, model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 4 }, { kind: 'LeakyReLU', negativeSlope: 0.2 }, { kind: 'Linear' }] }, train: { loss: 'L1Loss', optimizer: { name: 'SGD', lr: 0.02, momentum: 0.5, dampening: 0.3 }, epochs: 7, batchSize: 6 } },
  ],
  [
    'Adam with betas, eps, amsgrad and weight decay, HuberLoss, ELU and Softplus, rows with gaps dropped',
    { dataset: { ...file('drop'), scale: 'standard' }, model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 5 }, { kind: 'ELU', alpha: 0.5 }, { kind: 'Linear', outFeatures: 3 }, { kind: 'Softplus', beta: 2, threshold: 3 }, { kind: 'Linear' }] }, train: { loss: 'HuberLoss', huberDelta: 0.4, optimizer: { name: 'Adam', lr: 0.01, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.02, amsgrad: true }, epochs: 8, batchSize: 7, shuffle: true, seed: 5 } },
  ],
  [
    'AdamW, SmoothL1Loss, BatchNorm1d with its arguments, Dropout(p=0), GELU after it (6.5e-5 from torch after one epoch while GELU was computed in double)',
    { dataset: { ...cars, scale: 'standard', valSplit: 0.3, splitSeed: 1 }, model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 3 }, { kind: 'BatchNorm1d', eps: 1e-3, momentum: 0.3 }, { kind: 'ReLU' }, { kind: 'Dropout', p: 0 }, { kind: 'Linear', outFeatures: 2 }, { kind: 'GELU' }, { kind: 'Linear' }] }, train: { loss: 'SmoothL1Loss', smoothL1Beta: 0.3, optimizer: { name: 'AdamW', lr: 0.02, betas: [0.7, 0.9], weightDecay: 0.05 }, epochs: 6, batchSize: 4 } },
  ],
  [
    'BatchNorm1d without affine and without running statistics first, then Linear, LeakyReLU at its default',
    { dataset: { ...cars, valSplit: 0.25, splitSeed: 5 }, model: { kind: 'sequential', layers: [{ kind: 'BatchNorm1d', affine: false, trackRunningStats: false }, { kind: 'Linear', outFeatures: 3 }, { kind: 'LeakyReLU' }, { kind: 'Linear' }] }, train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 5, batchSize: 8 } },
  ],
  [
    'RMSprop centered with momentum, CrossEntropyLoss on class labels, Tanh, shuffled',
    { dataset: { ...iris, scale: 'standard', valSplit: 0.2, splitSeed: 3 }, model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 5 }, { kind: 'Tanh' }, { kind: 'Linear' }] }, train: { loss: 'CrossEntropyLoss', optimizer: { name: 'RMSprop', lr: 0.005, alpha: 0.9, eps: 1e-6, momentum: 0.4, centered: true, weightDecay: 0.001 }, epochs: 5, batchSize: 16, shuffle: true, seed: 8 } },
  ],
  [
    'Adagrad with lr_decay and an initial accumulator, CrossEntropyLoss on accented labels with gaps filled, GELU',
    { dataset: { ...file('mean', 'kind'), scale: 'standard', valSplit: 0.2 }, model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 4 }, { kind: 'GELU' }, { kind: 'Linear' }] }, train: { loss: 'CrossEntropyLoss', optimizer: { name: 'Adagrad', lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.2, eps: 1e-8, weightDecay: 0.01 }, epochs: 6, batchSize: 8, dropLast: true } },
  ],
  [
    'BCEWithLogitsLoss on two labels, RMSprop without centering, a batch larger than the rows',
    { dataset: { ...file('drop', 'ok'), scale: 'standard', valSplit: 0.2, splitSeed: 6 }, model: { kind: 'linear' }, train: { loss: 'BCEWithLogitsLoss', optimizer: { name: 'RMSprop', lr: 0.01 }, epochs: 4, batchSize: 500 } },
  ],
  [
    "cells Python's float() takes and TorchLab reads as missing (1_000, full-width and Arabic-Indic digits, Infinity with a space, 1,5), filled with the mean",
    { dataset: { source: { kind: 'file', path: oddCellsCsv() }, parse: { badCells: 'missing' }, features: ['a', 'b'], target: 'y', missing: 'mean' }, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 5, batchSize: 4 } },
  ],
  [
    'BCELoss after a Sigmoid, SGD, shuffled batches of 3',
    { dataset: { ...file('mean', 'ok'), scale: 'standard' }, model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 2 }, { kind: 'Tanh' }, { kind: 'Linear' }, { kind: 'Sigmoid' }] }, train: { loss: 'BCELoss', optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9 }, epochs: 5, batchSize: 3, shuffle: true, seed: 12 } },
  ],
]

/** every "epoch N: loss L  validation loss V" line the script printed */
function epochLines(stdout: string): { loss: number[]; val: number[] } {
  const lines = [...stdout.matchAll(/^epoch (\d+): loss (\S+)(?: {2}validation loss (\S+))?$/gm)]
  return { loss: lines.map((m) => Number(m[2])), val: lines.filter((m) => m[3] !== undefined).map((m) => Number(m[3])) }
}

/** the script prints 6 decimals: TorchLab's value rounded there, or within float32 noise of a large loss */
function expectPrinted(printed: number[], ours: number[], what: string): void {
  expect(printed.length, what).toBe(ours.length)
  printed.forEach((p, i) => expect(Math.abs(p - ours[i]), `${what} of epoch ${i + 1}: script ${p}, TorchLab ${ours[i]}`).toBeLessThanOrEqual(5e-7 + 1e-5 * Math.abs(ours[i])))
}

describe('export-py scripts over a spread of settings, run in PyTorch', () => {
  it.each(CASES)('%s: every epoch loss, validation loss and weight as TorchLab', async (name, request) => {
    const { runId } = await service.startTraining(request)
    const summary = await service.waitForRun(runId)
    expect(summary.status, summary.error?.message).toBe('completed')
    const stem = join(dir, `run ${CASES.findIndex((c) => c[0] === name)}`)
    await service.saveRun({ runId, path: `${stem}.pth`, kind: 'checkpoint' })
    await service.exportPython({ checkpoint: `${stem}.pth`, out: `${stem}.py` })
    const { stdout } = await run(PYTHON, [`${stem}.py`, '--out', `${stem}.torch.pth`], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
    expect(stdout).toContain(`${summary.dataset.nTrain} training rows, ${summary.dataset.nVal} validation rows`)
    const printed = epochLines(stdout)
    expectPrinted(printed.loss, summary.lossHistory, 'loss')
    expectPrinted(printed.val, summary.valLossHistory, 'validation loss')
    const weights = await python<Record<string, unknown>>(`import torch\nprint(json.dumps({k: v.tolist() for k, v in torch.load(INPUT, weights_only=True).items()}))`, `${stem}.torch.pth`)
    expectStateDictClose(summary.stateDict, weights)
  }, 120_000)
})

/** torch's own init for Linear(2, 4), Tanh, Linear(4, 1) under a seed; with `momentum`, a checkpoint whose SGD has taken one step */
function torchStart(path: string, seed: number, momentum = false): Promise<null> {
  return python(
    `
import torch
from torch import nn
torch.manual_seed(INPUT['seed'])
model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
if INPUT['momentum']:
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model(torch.ones(3, 2)).pow(2).mean().backward()
    opt.step()
    torch.save({'model_state_dict': model.state_dict(), 'optimizer_state_dict': opt.state_dict()}, INPUT['path'])
else:
    torch.save({'models': [nn.Linear(3, 3).state_dict(), model.state_dict()]}, INPUT['path'])
print('null')
`,
    { path, seed, momentum },
  )
}

const fromFile = (initFrom: string, extra: Partial<TrainRequestInput> = {}): TrainRequestInput => ({
  dataset: { ...cars, scale: 'standard', valSplit: 0.25, splitSeed: 3 },
  model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 4 }, { kind: 'Tanh' }, { kind: 'Linear' }] },
  train: { optimizer: { name: 'SGD', lr: 0.01, momentum: 0.5 }, epochs: 6, batchSize: 5, shuffle: true, seed: 4 },
  initFrom,
  ...extra,
})

async function savedRun(request: TrainRequestInput, stem: string) {
  const { runId } = await service.startTraining(request)
  const summary = await service.waitForRun(runId)
  expect(summary.status, summary.error?.message).toBe('completed')
  await service.saveRun({ runId, path: `${stem}.pth`, kind: 'checkpoint' })
  return summary
}

describe('export-py of a run that started from a file', () => {
  it("starts the script from the file's weights (torch's own init, one state_dict of several), so it ends on TorchLab's weights", async () => {
    const start = join(dir, 'départ torch.pth')
    await torchStart(start, 11)
    const stem = join(dir, 'from file')
    const summary = await savedRun(fromFile(start, { initKey: 'models.1' }), stem)
    await service.exportPython({ checkpoint: `${stem}.pth`, out: `${stem}.py` })
    const { stdout } = await run(PYTHON, [`${stem}.py`, '--out', `${stem}.torch.pth`], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
    const printed = epochLines(stdout)
    // before the start was recorded, the script started from TorchLab's seeded weights: another run
    expectPrinted(printed.loss, summary.lossHistory, 'loss')
    expectPrinted(printed.val, summary.valLossHistory, 'validation loss')
    const weights = await python<Record<string, unknown>>(`import torch\nprint(json.dumps({k: v.tolist() for k, v in torch.load(INPUT, weights_only=True).items()}))`, `${stem}.torch.pth`)
    expectStateDictClose(summary.stateDict, weights)
  }, 120_000)

  it('refuses, with a sentence naming the file and what to do, where the script cannot start where the run did; nothing is written', async () => {
    const changed = join(dir, 'changed.pth')
    await torchStart(changed, 12)
    await savedRun(fromFile(changed, { initKey: 'models.1' }), join(dir, 'changed run'))
    appendFileSync(changed, 'x')
    const withOptimizer = join(dir, 'with optimizer.pth')
    await torchStart(withOptimizer, 13, true)
    await savedRun(fromFile(withOptimizer), join(dir, 'optimizer run'))
    await savedRun({ ...fromFile(''), initFrom: undefined, init: { '0.weight': [[0.1, -0.2], [0.3, 0.1], [-0.1, 0.2], [0.05, 0.4]], '0.bias': [0, 0.1, -0.1, 0.2], '2.weight': [[0.3, -0.3, 0.2, 0.1]], '2.bias': [0.5] } }, join(dir, 'json run'))
    for (const [stem, sentence] of [
      ['changed run', /started from .*changed\.pth, which has changed since.*Put the original file back/],
      ['optimizer run', /started from .*with optimizer\.pth's weights and its optimizer state/],
      ['json run', /started from weights given as JSON.*Save those weights as a \.pth/],
    ] as const) {
      await expect(service.exportPython({ checkpoint: join(dir, `${stem}.pth`), out: join(dir, `${stem}.py`) })).rejects.toThrow(sentence)
      expect(existsSync(join(dir, `${stem}.py`)), stem).toBe(false)
    }
  }, 120_000)
})
