/**
 * nn.Sequential(Linear, BatchNorm1d, ReLU, Dropout, Linear) both ways with real PyTorch: torch's
 * initial weights trained by `lab train --layers … --init` equal torch's own training (running
 * statistics and num_batches_tracked included); the saved file loads strictly into torch with
 * weights_only=True; `lab predict` equals torch's eval-mode predictions.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { batchNorm1d, batchNorm1dSchema } from '../../src/shared/layers/batchNorm1d'
import { ColumnSums } from '../../src/shared/layers/columnSums'
import { expectStateDictClose } from '../helpers/compare'
import { float32Stream } from '../helpers/float32Stream'
import { createService, DATASETS, ROOT, tempDir } from '../helpers/lab'
import { python, torchTrain } from '../helpers/python'

const run = promisify(execFile)
const dir = tempDir('torchlab-layers-')
const features = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']
const LAYERS = 'Linear(12), BatchNorm1d(12), ReLU(), Dropout(0), Linear(1)'

async function lab(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir() },
    maxBuffer: 64 * 1024 * 1024,
  })
  return JSON.parse(stdout)
}

describe('Linear, BatchNorm1d, ReLU, Dropout, Linear', () => {
  it("trains from torch's initial weights to torch's result, loads strictly into torch, and predicts as torch's eval mode", async () => {
    const init = join(dir, 'torch_init.pth')
    const initial = await python<Record<string, unknown>>(
      `
import torch
from torch import nn
torch.manual_seed(3)
model = nn.Sequential(nn.Linear(10, 12), nn.BatchNorm1d(12), nn.ReLU(), nn.Dropout(0.0), nn.Linear(12, 1))
torch.save(model.state_dict(), INPUT)
print(json.dumps({k: v.tolist() for k, v in model.state_dict().items()}))
`,
      init,
    )
    const common = ['train', '--data', 'diabetes', '--x', features.join(','), '--y', 'target', '--scale', 'standard', '--layers', LAYERS]
    const optimizer = ['--optimizer', 'sgd', '--lr', '0.001', '--momentum', '0.5', '--epochs', '4', '--batch-size', '32', '--init', init]
    const stateDictPath = join(dir, 'bn.pth')
    const checkpointPath = join(dir, 'bn_checkpoint.pth')
    const [ours] = await Promise.all([
      lab([...common, ...optimizer, '--out', stateDictPath, '--json']),
      lab([...common, ...optimizer, '--out', checkpointPath, '--checkpoint', '--json']),
    ])
    // SGD, not Adam: a Linear before BatchNorm1d has a bias whose true gradient is 0, and Adam would
    // magnify float32 noise there into full-size steps that differ between any two implementations
    expect(ours.status).toBe('completed')
    const reference = await torchTrain({
      csv: join(DATASETS, 'diabetes.csv'),
      features,
      target: 'target',
      scale: 'standard',
      model: {
        kind: 'sequential',
        modules: [
          { type: 'Linear', kwargs: { in_features: 10, out_features: 12 } },
          { type: 'BatchNorm1d', kwargs: { num_features: 12 } },
          { type: 'ReLU', kwargs: {} },
          { type: 'Dropout', kwargs: { p: 0 } },
          { type: 'Linear', kwargs: { in_features: 12, out_features: 1 } },
        ],
      },
      loss: 'MSELoss',
      optimizer: { name: 'SGD', lr: 0.001, momentum: 0.5 },
      epochs: 4,
      batch_size: 32,
      init: initial,
    })
    expect(Object.keys(reference.state_dict)).toContain('1.num_batches_tracked')
    expectStateDictClose(ours.state_dict as Record<string, number[]>, reference.state_dict)

    const loaded = await python<{ keys: string; dtype: string; state: Record<string, unknown> }>(
      `
import torch
from torch import nn
model = nn.Sequential(nn.Linear(10, 12), nn.BatchNorm1d(12), nn.ReLU(), nn.Dropout(0.0), nn.Linear(12, 1))
state = torch.load(INPUT, weights_only=True)
result = model.load_state_dict(state, strict=True)
print(json.dumps({"keys": str(result), "dtype": str(state["1.num_batches_tracked"].dtype), "state": {k: v.tolist() for k, v in state.items()}}))
`,
      stateDictPath,
    )
    expect(loaded.keys).toBe('<All keys matched successfully>')
    expect(loaded.dtype).toBe('torch.int64')
    // 442 rows in batches of 32: 14 batches an epoch
    expect(loaded.state['1.num_batches_tracked']).toBe(4 * 14)
    expectStateDictClose(loaded.state as Record<string, number[]>, reference.state_dict)

    const predicted = (await lab(['predict', checkpointPath, '--data', 'diabetes', '--json'])) as { outputs: number[][]; scaled: boolean; features: string[] }
    expect(predicted.scaled).toBe(true)
    expect(predicted.features).toEqual(features)
    expect(predicted.outputs).toHaveLength(442)
    predicted.outputs.forEach((row, i) => expect(Math.abs(row[0] - reference.predictions[i][0])).toBeLessThan(1e-3 + 1e-5 * Math.abs(reference.predictions[i][0])))
  })

  it('refuses a batch of one row while training BatchNorm1d, as torch does, naming the fix', async () => {
    // 32 cars in batches of 31 leave one row at the end of each epoch
    const failed = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), 'train', '--layers', 'Linear(4), BatchNorm1d(), ReLU(), Linear()', '--batch-size', '31', '--epochs', '1', '--json'], {
      cwd: ROOT,
      env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir() },
    }).then(
      (r) => JSON.parse(r.stdout),
      (err: { stdout: string }) => JSON.parse(err.stdout),
    )
    expect(failed.status).toBe('failed')
    expect(failed.error.message).toMatch(/BatchNorm1d needs more than 1 row per batch.*drop_last/)
  })

  it('is refused by the tfjs engine with the reason, before any worker starts; auto runs it on the dense engine', async () => {
    const service = createService()
    try {
      const request = {
        dataset: { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' },
        model: { kind: 'sequential' as const, layers: [{ kind: 'Linear' as const, outFeatures: 4 }, { kind: 'BatchNorm1d' as const }, { kind: 'Linear' as const }] },
        train: { optimizer: { name: 'SGD' as const, lr: 0.01 }, epochs: 1, batchSize: 8 },
      }
      await expect(service.startTraining({ ...request, engine: 'tfjs' })).rejects.toMatchObject({ info: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/not BatchNorm1d \(layer 1\)/) } })
      const { runId } = await service.startTraining({ ...request, engine: 'auto' })
      expect(await service.waitForRun(runId)).toMatchObject({ status: 'completed', engine: 'dense' })
    } finally {
      service.dispose()
    }
  })
})

describe('BatchNorm1d batch statistics', () => {
  it("move the running mean and variance, and normalise the batch, bit for bit as torch 1.13 does, for batches of 2 to 39 rows, 1 to 5 columns and momenta from 0 to 1", async () => {
    // found by the random sweep (fuzz.test.ts, seed 4, case 23): one ulp after the first step, which AdamW with beta2 = 0 magnified to 1e-2
    const cases = Array.from({ length: 60 }, (_, k) => {
      const next = float32Stream(k + 1)
      const rows = 2 + ((k * 7) % 38)
      const columns = 1 + (k % 5)
      return {
        rows,
        columns,
        momentum: [0.1, 0.3, 1, 0, 0.7][k % 5],
        x: Array.from({ length: rows * columns }, () => Math.fround(next() * 3 + 1)),
        mean: Array.from({ length: columns }, () => next()),
        variance: Array.from({ length: columns }, () => Math.fround(1.25 + next() * 0.75)),
      }
    })
    const torch = await python<{ mean: number[]; variance: number[] }[]>(
      `
import torch
torch.set_num_threads(1)
out = []
for case in INPUT:
    bn = torch.nn.BatchNorm1d(case['columns'], momentum=case['momentum'])
    with torch.no_grad():
        bn.running_mean.copy_(torch.tensor(case['mean'])); bn.running_var.copy_(torch.tensor(case['variance']))
    y = bn(torch.tensor(case['x']).reshape(case['rows'], case['columns']))
    out.append({'mean': bn.running_mean.tolist(), 'variance': bn.running_var.tolist(), 'y': y.reshape(-1).tolist()})
print(json.dumps(out))
`,
      cases,
    )
    const differ = cases.flatMap((c, k) => {
      const layer = batchNorm1dSchema.parse({ kind: 'BatchNorm1d', numFeatures: c.columns, momentum: c.momentum })
      const bn = batchNorm1d.dense(layer, c.columns, () => 0)
      const [runningMean, runningVar] = bn.buffers
      runningMean.set(c.mean.map(Math.fround))
      runningVar.set(c.variance)
      const y = new Float32Array(c.x.length)
      bn.forward(Float32Array.from(c.x), y, c.rows, true)
      const ours = { mean: Array.from(runningMean), variance: Array.from(runningVar), y: Array.from(y) }
      return JSON.stringify(ours) === JSON.stringify(torch[k]) ? [] : [`${c.rows} rows × ${c.columns}, momentum ${c.momentum}: ${JSON.stringify(ours)} against ${JSON.stringify(torch[k])}`]
    })
    expect(differ).toEqual([])
  })
})

describe('BatchNorm1d gradients', () => {
  it("equal torch 1.13's bit for bit (input, weight and bias), and so does the bias gradient of a Linear before it, for batches of 2 to 41 rows, 1 to 13 columns, eps down to 1e-8, with and without affine", async () => {
    // found by the random sweep (fuzz.test.ts, seed 4, case 23): before an affine-free BatchNorm1d, a Linear's
    // bias gradient is 0 in exact arithmetic and −1.9e-8 in torch, which AdamW with beta2 = 0 makes an lr-sized step
    const cases = Array.from({ length: 120 }, (_, k) => {
      const next = float32Stream(k + 101)
      const rows = 2 + ((k * 7) % 40)
      const columns = 1 + (k % 13)
      return {
        rows,
        columns,
        eps: [1e-5, 1e-8, 0.1][k % 3],
        affine: k % 2 === 0,
        x: Array.from({ length: rows * columns }, () => Math.fround(next() * 3 + 1)),
        dy: Array.from({ length: rows * columns }, () => Math.fround(next() * 0.01)),
        weight: Array.from({ length: columns }, () => Math.fround(next() + 1.5)),
        bias: Array.from({ length: columns }, () => next()),
      }
    })
    const torch = await python<{ dx: number[]; before: number[]; weight?: number[]; bias?: number[] }[]>(
      `
import torch
torch.set_num_threads(1)
out = []
for case in INPUT:
    bn = torch.nn.BatchNorm1d(case['columns'], eps=case['eps'], affine=case['affine'])
    if case['affine']:
        with torch.no_grad():
            bn.weight.copy_(torch.tensor(case['weight'])); bn.bias.copy_(torch.tensor(case['bias']))
    x = torch.tensor(case['x']).reshape(case['rows'], case['columns']).requires_grad_()
    bn(x).backward(torch.tensor(case['dy']).reshape(case['rows'], case['columns']))
    grads = {'weight': bn.weight.grad.tolist(), 'bias': bn.bias.grad.tolist()} if case['affine'] else {}
    out.append({'dx': x.grad.reshape(-1).tolist(), 'before': x.grad.sum(0).tolist(), **grads})
print(json.dumps(out))
`,
      cases,
    )
    const differ = cases.flatMap((c, k) => {
      const layer = batchNorm1dSchema.parse({ kind: 'BatchNorm1d', numFeatures: c.columns, eps: c.eps, affine: c.affine })
      const bn = batchNorm1d.dense(layer, c.columns, () => 0)
      if (c.affine) {
        bn.params[0].set(c.weight)
        bn.params[1].set(c.bias)
      }
      const x = Float32Array.from(c.x)
      const dx = new Float32Array(x.length)
      const before = new Float32Array(c.columns)
      bn.forward(x, new Float32Array(x.length), c.rows, true)
      bn.backward(x, new Float32Array(x.length), Float32Array.from(c.dy), c.rows, dx, true)
      new ColumnSums().sum(dx, c.rows, c.columns, before)
      const grads = c.affine ? { weight: Array.from(bn.grads[0]), bias: Array.from(bn.grads[1]) } : {}
      const ours = { dx: Array.from(dx), before: Array.from(before), ...grads }
      return JSON.stringify(ours) === JSON.stringify(torch[k]) ? [] : [`${c.rows} rows × ${c.columns}, eps ${c.eps}, affine ${c.affine}: ${JSON.stringify(ours)} against ${JSON.stringify(torch[k])}`]
    })
    expect(differ).toEqual([])
  })
})
