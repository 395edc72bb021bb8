/**
 * `lab export-py` of a run: the script reproduces the run in real PyTorch (TorchLab's split,
 * scaler fitted on the training rows, batch order, initial weights) and loads every .pth with
 * torch.load(weights_only=True), also for TorchLab's own checkpoints and torch's general ones.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import type { TrainRequestInput } from '../../src/shared/schemas'
import { expectStateDictClose } from '../helpers/compare'
import { createService, DATASETS, stopMidEpoch, tempDir } from '../helpers/lab'
import { python, PYTHON } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-export-')
const run = promisify(execFile)

async function checkpointOf(name: string, request: TrainRequestInput) {
  const { runId } = await service.startTraining(request)
  const summary = await service.waitForRun(runId)
  expect(summary.status, summary.error?.message).toBe('completed')
  const pth = join(dir, `${name}.pth`)
  await service.saveRun({ runId, path: pth, kind: 'checkpoint' })
  return { summary, pth }
}

/** runs the exported script as a student would, and reads the weights it saved */
async function runScript(script: string, out: string, extra: string[] = []) {
  const { stdout } = await run(PYTHON, [script, ...extra, '--out', out], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
  const weights = await python<Record<string, unknown>>(`import torch\nprint(json.dumps({k: v.tolist() for k, v in torch.load(INPUT, weights_only=True).items()}))`, out)
  return { stdout, weights }
}

const LEFTOVERS = /if (False|True)\b|None or|or None\b|if \[\]|if ""/

describe('lab export-py of a TorchLab run', () => {
  it('a run with --val-split 0.25 --scale standard and shuffled batches: the script trains on the same rows in the same order, and its weights equal TorchLab\'s to 1e-5', async () => {
    const { summary, pth } = await checkpointOf('cars_val', {
      dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt', 'hp'], target: 'mpg', scale: 'standard', valSplit: 0.25, splitSeed: 7 },
      model: { kind: 'linear' },
      train: { optimizer: { name: 'SGD', lr: 0.05, momentum: 0.9 }, epochs: 12, batchSize: 5, shuffle: true, seed: 3 },
    })
    expect(summary.dataset.nTrain).toBe(24)
    const script = join(dir, 'cars_val.py')
    const result = await service.exportPython({ checkpoint: pth, out: script })
    // TorchLab's checkpoint holds plain floats, which torch 1.13 refuses with weights_only=True: its weights are written beside the script
    expect(result.written).toEqual([join(dir, 'cars_val.weights.pth'), join(dir, 'cars_val.initial.pth')])
    const text = readFileSync(script, 'utf8')
    expect(text).not.toMatch(LEFTOVERS)
    expect(text).not.toContain('weights_only=False')
    const { stdout, weights } = await runScript(script, join(dir, 'cars_val.torch.pth'))
    expect(stdout).toContain('24 training rows, 8 validation rows')
    expect(stdout).toMatch(/epoch 12: loss [\d.]+ {2}validation loss [\d.]+/)
    expectStateDictClose(summary.stateDict, weights)
    // the script's own check against the weights TorchLab saved
    const gap = Number(/largest difference from the weights TorchLab saved after 12 epochs: (\S+)/.exec(stdout)![1])
    expect(gap).toBeLessThan(1e-5)
    // a different number of epochs trains further from the same start: the check then shows a gap
    const longer = await runScript(script, join(dir, 'cars_val.longer.pth'), ['--epochs', '40'])
    expect(Number(/saved after 12 epochs: (\S+)/.exec(longer.stdout)![1])).toBeGreaterThan(1e-3)
  }, 120_000)

  it('a run stopped mid-epoch: the script stops at the same step, and its weights equal TorchLab\'s; --epochs N trains N whole epochs', async () => {
    const { runId } = await service.startTraining({
      dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt', 'hp'], target: 'mpg', scale: 'standard' },
      model: { kind: 'linear' },
      train: { optimizer: { name: 'Adam', lr: 0.01 }, epochs: 1000, batchSize: 3, shuffle: true, seed: 5 },
      pace: 10,
    })
    const summary = await stopMidEpoch(service, runId)
    const into = summary.steps - summary.epochsCompleted * summary.stepsPerEpoch
    expect(into).toBeGreaterThan(0)
    const pth = join(dir, 'cars_stopped.pth')
    await service.saveRun({ runId, path: pth, kind: 'checkpoint' })
    const script = join(dir, 'cars_stopped.py')
    await service.exportPython({ checkpoint: pth, out: script })
    expect(readFileSync(script, 'utf8')).not.toMatch(LEFTOVERS)
    const when = `${summary.epochsCompleted} epoch${summary.epochsCompleted === 1 ? '' : 's'} and ${into} step${into === 1 ? '' : 's'} of the next`
    const { stdout, weights } = await runScript(script, join(dir, 'cars_stopped.torch.pth'))
    expect(stdout).toContain(`stopped after ${when}, as the run was`)
    expectStateDictClose(summary.stateDict, weights)
    expect(Number(new RegExp(`saved after ${when}: (\\S+)`).exec(stdout)![1])).toBeLessThan(1e-5)
    const whole = await runScript(script, join(dir, 'cars_stopped.3.pth'), ['--epochs', '3'])
    expect(whole.stdout).toMatch(/epoch 3: loss [\d.]+\n/)
    expect(whole.stdout).not.toContain('as the run was')
    // --epochs 0 is a number of epochs too: none, not the run's
    const none = await runScript(script, join(dir, 'cars_stopped.0.pth'), ['--epochs', '0'])
    expect(none.stdout).not.toMatch(/epoch 1:|as the run was/)
  }, 120_000)

  it('a classifier with missing values filled from the training rows, a validation split, drop_last and Adam: the same weights in torch', async () => {
    const csv = join(dir, 'gaps.csv')
    const rows = ['a;b;kind']
    for (let i = 0; i < 40; i++) {
      const a = i % 7 === 3 ? 'NA' : ((i * 37) % 11) / 3
      const b = i % 5 === 1 ? '' : ((i * 13) % 17) / 4
      rows.push(`${String(a).replace('.', ',')};${String(b).replace('.', ',')};${['setosa', 'virginica', 'versicolor'][(i * 7) % 3]}`)
    }
    writeFileSync(csv, rows.join('\n') + '\n')
    const { summary, pth } = await checkpointOf('gaps', {
      dataset: { source: { kind: 'file', path: csv }, features: ['a', 'b'], target: 'kind', missing: 'mean', scale: 'standard', valSplit: 0.3, splitSeed: 1 },
      model: { kind: 'mlp', hidden: [{ units: 5, activation: 'Tanh' }] },
      train: { loss: 'CrossEntropyLoss', optimizer: { name: 'Adam', lr: 0.02 }, epochs: 15, batchSize: 6, shuffle: true, dropLast: true, seed: 11 },
    })
    const script = join(dir, 'gaps.py')
    await service.exportPython({ checkpoint: pth, out: script })
    expect(readFileSync(script, 'utf8')).not.toMatch(LEFTOVERS)
    const { stdout, weights } = await runScript(script, join(dir, 'gaps.torch.pth'))
    expect(stdout).toContain('28 training rows, 12 validation rows')
    expectStateDictClose(summary.stateDict, weights)
  }, 120_000)

  it('the data path is an argument: another CSV with the same columns trains from it', async () => {
    const script = join(dir, 'cars_val.py')
    const half = join(dir, 'cars_half.csv')
    const lines = readFileSync(join(DATASETS, 'cars.csv'), 'utf8').trim().split('\n')
    writeFileSync(half, lines.slice(0, 17).join('\n') + '\n')
    const { stdout } = await run(PYTHON, [script, half, '--epochs', '1'], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
    expect(stdout).toContain('12 training rows, 4 validation rows')
  }, 60_000)
})

describe('lab export-py of files torch wrote', () => {
  it('a general checkpoint with an epoch, a float loss and an optimizer (torch.save at test time) exports; the script loads its weights with weights_only=True', async () => {
    const pth = join(dir, 'torch_general.pth')
    await python(
      `
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(torch.ones(2, 3)).sum().backward()
opt.step()
torch.save({"epoch": 5, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt.state_dict(), "loss": 0.25, "notes": "tiny"}, INPUT)
try:
    torch.load(INPUT, weights_only=True)
    refused = False
except Exception:
    refused = True
print(json.dumps(refused))
`,
      pth,
    ).then((refused) => expect(refused, 'torch 1.13 refuses this file with weights_only=True').toBe(true))
    const script = join(dir, 'torch_general.py')
    const result = await service.exportPython({ checkpoint: pth, out: script })
    expect(result.written).toEqual([join(dir, 'torch_general.weights.pth')])
    const { stdout } = await run(PYTHON, [script], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
    expect(stdout).toMatch(/0\.weight \(4, 3\)/)
    const same = await python<boolean>(
      `
import torch
a = torch.load(INPUT[0], weights_only=False)["model_state_dict"]
b = torch.load(INPUT[1], weights_only=True)
print(json.dumps(list(a) == list(b) and all(torch.equal(a[k], b[k]) for k in a)))
`,
      [pth, result.written![0]],
    )
    expect(same).toBe(true)
  }, 60_000)

  it('a file that names code is refused with the reason, and nothing is written', async () => {
    const pth = join(dir, 'module.pth')
    await python(`import torch\nfrom torch import nn\ntorch.save(nn.Sequential(nn.Linear(2, 1)), INPUT)\nprint("null")`, pth)
    const script = join(dir, 'module.py')
    await expect(service.exportPython({ checkpoint: pth, out: script })).rejects.toMatchObject({ info: { code: 'CHECKPOINT_UNSUPPORTED', message: expect.stringMatching(/weights_only=True.*the global torch\.nn\.modules/) } })
    expect(existsSync(script)).toBe(false)
    expect(existsSync(join(dir, 'module.weights.pth'))).toBe(false)
  }, 60_000)
})
