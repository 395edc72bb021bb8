/**
 * Files both ways with real PyTorch: what TorchLab writes loads in torch (weights_only=True)
 * into the exported script's module; a TorchLab Adam checkpoint continues in torch exactly as
 * in TorchLab; torch's initial weights trained in TorchLab give torch's own result.
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { readPth } from '../../src/main/lab/checkpoint/readPth'
import { writerOf } from '../../src/main/lab/files/atomicWrite'
import { expectStateDictClose } from '../helpers/compare'
import { createService, DATASETS, ROOT, tempDir } from '../helpers/lab'
import { python, PYTHON, torchTrain } from '../helpers/python'
import type { TrainRequestInput } from '../../src/shared/schemas'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-roundtrip-')
const run = promisify(execFile)

const carsRun = (epochs: number, extra: Partial<TrainRequestInput> = {}): TrainRequestInput => ({
  dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' },
  train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs, batchSize: 2 },
  ...extra,
})

async function trained(request: TrainRequestInput) {
  const { runId } = await service.startTraining(request)
  const summary = await service.waitForRun(runId)
  expect(summary.status, summary.error?.message).toBe('completed')
  return { runId, summary }
}

describe('TorchLab -> PyTorch', () => {
  it('a saved state_dict loads with weights_only=True into the exported module; predictions on cars equal TorchLab to 1e-6', async () => {
    const { runId } = await trained(carsRun(100))
    const pth = join(dir, 'course.pth')
    await service.saveRun({ runId, path: pth, kind: 'state_dict' })
    const script = join(dir, 'course_model.py')
    await service.exportPython({ checkpoint: pth, out: script })
    const ours = await service.evaluate(runId, 'train')
    const torch = await python<{ keys: string[]; predictions: number[]; records: string[] }>(
      `
import importlib.util, csv, zipfile, torch
spec = importlib.util.spec_from_file_location("exported", INPUT["script"])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
model = mod.build_model()
model.load_state_dict(torch.load(INPUT["pth"], weights_only=True))
rows = list(csv.DictReader(open(INPUT["csv"])))
x = torch.tensor([[float(r["wt"])] for r in rows], dtype=torch.float32)
with torch.no_grad():
    predictions = model(x).reshape(-1).tolist()
print(json.dumps({"keys": list(model.state_dict().keys()), "predictions": predictions, "records": zipfile.ZipFile(INPUT["pth"]).namelist()}))
`,
      { script, pth, csv: join(DATASETS, 'cars.csv') },
    )
    expect(torch.keys).toEqual(['linear.weight', 'linear.bias'])
    expect(torch.records).toEqual(['course/data.pkl', 'course/byteorder', 'course/data/0', 'course/data/1', 'course/version'])
    ours.points.predicted.forEach((p, i) => expect(Math.abs(p - torch.predictions[i])).toBeLessThan(1e-6))
  })

  it('aligns every record on 64 bytes, as torch does, and leaves no temporary file', () => {
    const bytes = readFileSync(join(dir, 'course.pth'))
    expect(readPth(bytes).root).toBe('course')
    for (let p = 0; (p = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), p)) >= 0; p++) {
      const dataStart = p + 30 + bytes.readUInt16LE(p + 26) + bytes.readUInt16LE(p + 28)
      expect(dataStart % 64).toBe(0)
    }
    expect(readdirSync(dir).filter((f) => writerOf(f) !== undefined)).toEqual([])
  })

  it('an MLP classifier state_dict loads into the exported nn.Sequential and the exported script runs as is; its checkpoint, which torch 1.13 loads only with weights_only=False, exports with its weights written beside the script', async () => {
    const { runId } = await trained({
      dataset: { source: { kind: 'bundled', name: 'iris' }, features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], target: 'species', scale: 'standard' },
      model: { kind: 'mlp', hidden: [{ units: 8, activation: 'Tanh' }, { units: 6, activation: 'GELU' }] },
      train: { loss: 'CrossEntropyLoss', optimizer: { name: 'Adam', lr: 0.01 }, epochs: 3, batchSize: 16 },
    })
    const checkpoint = join(dir, 'iris_checkpoint.pth')
    await service.saveRun({ runId, path: checkpoint, kind: 'checkpoint' })
    const checkpointScript = join(dir, 'iris_checkpoint_model.py')
    const exported = await service.exportPython({ checkpoint, out: checkpointScript })
    expect(exported.written?.every((p) => existsSync(p) && !readFileSync(checkpointScript, 'utf8').includes(checkpoint))).toBe(true)
    const pth = join(dir, 'iris.pth')
    await service.saveRun({ runId, path: pth, kind: 'state_dict' })
    const script = join(dir, 'iris_model.py')
    await service.exportPython({ checkpoint: pth, out: script })
    // a state_dict records no activations: the script has the layers, with the default between them
    expect(readFileSync(script, 'utf8')).toContain('nn.Linear(8, 6)')
    expect(readFileSync(script, 'utf8')).toContain('torch.load(path, weights_only=True)')
    const { stdout } = await run(PYTHON, [script], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
    expect(stdout).toMatch(/0\.weight \(8, 4\)/)
    expect(stdout).toMatch(/output for an input of zeros/)
  })

  it('an Adam checkpoint continues in torch exactly as it continues in TorchLab (3 more steps)', async () => {
    const { runId } = await trained(carsRun(4, { train: { optimizer: { name: 'Adam', lr: 0.05 }, epochs: 4, batchSize: 11 } }))
    const pth = join(dir, 'adam.pth')
    await service.saveRun({ runId, path: pth, kind: 'checkpoint' })
    // one epoch of batch 11 over 32 rows is exactly 3 steps
    const { summary } = await trained(carsRun(1, { train: { optimizer: { name: 'Adam', lr: 0.05 }, epochs: 1, batchSize: 11 }, initFrom: pth }))
    const torch = await python<Record<string, unknown>>(
      `
import csv, torch
from torch import nn
ckpt = torch.load(INPUT["pth"])
model = nn.Module()
model.linear = nn.Linear(1, 1)
model.load_state_dict(ckpt["model_state_dict"])
opt = torch.optim.Adam(model.parameters(), lr=0.05)
opt.load_state_dict(ckpt["optimizer_state_dict"])
rows = list(csv.DictReader(open(INPUT["csv"])))
x = torch.tensor([[float(r["wt"])] for r in rows])
y = torch.tensor([[float(r["mpg"])] for r in rows])
for i in range(0, 32, 11):
    opt.zero_grad()
    nn.MSELoss()(model.linear(x[i:i+11]), y[i:i+11]).backward()
    opt.step()
print(json.dumps({k: v.tolist() for k, v in model.state_dict().items()}))
`,
      { pth, csv: join(DATASETS, 'cars.csv') },
    )
    expectStateDictClose(summary.stateDict, torch)
  })

  it('refuses an unwritable path or a wrong extension with a message, keeping the previous file', async () => {
    const pth = join(dir, 'keep.pth')
    const { runId } = await trained(carsRun(1))
    await service.saveRun({ runId, path: pth, kind: 'state_dict' })
    const before = readFileSync(pth)
    await expect(service.saveRun({ runId, path: join(dir, 'no-such-folder', 'x.pth') })).rejects.toMatchObject({ info: { code: 'FILE_UNWRITABLE' } })
    await expect(service.saveRun({ runId, path: join(dir, 'x.txt') })).rejects.toThrow(/\.pth/)
    expect(readFileSync(pth)).toEqual(before)
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false)
  })
})

describe('PyTorch -> TorchLab -> PyTorch', () => {
  it("torch's initial weights, trained in TorchLab via lab train --init, equal torch's own training to 1e-5", async () => {
    const features = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']
    const init = join(dir, 'torch_init.pth')
    const initial = await python<Record<string, unknown>>(
      `
import torch
from torch import nn
torch.manual_seed(1)
model = nn.Sequential(nn.Linear(10, 12), nn.ReLU(), nn.Linear(12, 1))
torch.save(model.state_dict(), INPUT)
print(json.dumps({k: v.tolist() for k, v in model.state_dict().items()}))
`,
      init,
    )
    const out = join(dir, 'trained_by_torchlab.pth')
    const args = ['--data', 'diabetes', '--x', features.join(','), '--y', 'target', '--scale', 'standard', '--model', 'mlp', '--hidden', '12',
      '--optimizer', 'adam', '--lr', '0.01', '--epochs', '5', '--batch-size', '32', '--init', init, '--out', out, '--json']
    await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), 'train', ...args], { cwd: ROOT, env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir() } })
    const reference = await torchTrain({
      csv: join(DATASETS, 'diabetes.csv'), features, target: 'target', scale: 'standard',
      model: { kind: 'mlp', hidden: [{ units: 12, activation: 'ReLU' }] }, loss: 'MSELoss',
      optimizer: { name: 'Adam', lr: 0.01 }, epochs: 5, batch_size: 32, init: initial,
    })
    const loaded = await python<Record<string, number[]>>(
      `import torch\nprint(json.dumps({k: v.tolist() for k, v in torch.load(INPUT, weights_only=True).items()}))`,
      out,
    )
    expectStateDictClose(loaded, reference.state_dict)
  })
})
