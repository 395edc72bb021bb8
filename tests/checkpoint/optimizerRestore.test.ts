/**
 * A torch-written general checkpoint's optimizer_state_dict is restored on --init as torch's
 * optimizer.load_state_dict restores it, the file's param_group settings included: torch trains
 * N steps with each optimizer, saves {model_state_dict, optimizer_state_dict} and goes on for M
 * more; TorchLab started from that file for the same M steps ends where torch does, weights and
 * optimizer state. A file whose optimizer does not fit the run says why and starts it fresh.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import type { TrainRequestInput } from '../../src/shared/schemas'
import { createService, DATASETS, ROOT, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-optrestore-')
const CARS = join(DATASETS, 'cars.csv')
const LAYERS = [{ kind: 'Linear', outFeatures: 3 }, { kind: 'ReLU' }, { kind: 'Linear', outFeatures: 1 }] as const

/**
 * torch: epochs of cars (wt -> mpg, batches of 8 in file order) before saving the checkpoint, then
 * as many again; prints the weights and the optimizer's state after both.
 */
const TORCH = `
import csv
import torch
from torch import nn
torch.manual_seed(1)
torch.set_num_threads(1)
rows = list(csv.DictReader(open(INPUT["csv"], newline="")))
X = torch.tensor([[float(r["wt"])] for r in rows], dtype=torch.float32)
y = torch.tensor([[float(r["mpg"])] for r in rows], dtype=torch.float32)
model = nn.Sequential(nn.Linear(1, 3), nn.ReLU(), nn.Linear(3, 1))
kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in INPUT["kwargs"].items()}
groups = INPUT.get("groups", "all")
params = list(model[0].parameters()) if groups == "first layer" else [{"params": model[0].parameters()}, {"params": model[2].parameters()}] if groups == "two" else model.parameters()
optimizer = getattr(torch.optim, INPUT["optimizer"])(params, **kwargs)
def epochs(n):
    for _ in range(n):
        for i in range(0, len(X), 8):
            optimizer.zero_grad()
            nn.MSELoss()(model(X[i:i + 8]), y[i:i + 8]).backward()
            optimizer.step()
epochs(INPUT["epochs"])
if INPUT.get("step"):
    for s in optimizer.state.values():
        s["step"] = eval(INPUT["step"])
saved = {k: v.tolist() for k, v in model.state_dict().items()}
optimizer_state = optimizer.state_dict()
if INPUT.get("trueKey"):
    # the second parameter's state under True: True == 1 and hash(True) == hash(1), so load_state_dict's lookup finds it
    optimizer_state["state"] = {(True if k == 1 else k): v for k, v in optimizer_state["state"].items()}
    optimizer = getattr(torch.optim, INPUT["optimizer"])(model.parameters(), **kwargs)
    optimizer.load_state_dict(optimizer_state)
    assert all(optimizer.state[p] for p in model.parameters())
torch.save({"epoch": INPUT["epochs"], "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer_state}, INPUT["path"])
if INPUT.get("goOn", True):
    epochs(INPUT["epochs"])
state = {str(k): {n: (v.tolist() if torch.is_tensor(v) else v) for n, v in s.items()} for k, s in optimizer.state_dict()["state"].items()}
# a hostile step (NaN) is printed as null, which JSON can hold
print(json.dumps({"saved": saved, "weights": {k: v.tolist() for k, v in model.state_dict().items()}, "state": state}).replace("NaN", "null"))
`

/** TorchLab's saved checkpoint read back by torch: weights and optimizer state */
const READ = `
import torch
c = torch.load(INPUT, weights_only=False)
state = {str(k): {n: (v.tolist() if torch.is_tensor(v) else v) for n, v in s.items()} for k, s in c["optimizer_state_dict"]["state"].items()}
print(json.dumps({"weights": {k: v.tolist() for k, v in c["model_state_dict"].items()}, "state": state, "groups": [{k: v for k, v in g.items() if k != "params"} for g in c["optimizer_state_dict"]["param_groups"]]}))
`

interface TorchState {
  weights: Record<string, unknown>
  state: Record<string, Record<string, unknown>>
}

/** torch's run: the weights in the checkpoint, and where it stands after as many steps again */
interface TorchRun extends TorchState {
  saved: Record<string, number[]>
}

function flat(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : typeof value === 'number' ? [value] : []
}

/** the largest difference between two nested values of the same keys (missing keys fail), relative to torch's value past 1: float32's own precision */
function maxDiff(ours: Record<string, unknown>, theirs: Record<string, unknown>): number {
  expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort())
  let worst = 0
  for (const key of Object.keys(theirs)) {
    const a = flat(ours[key])
    const b = flat(theirs[key])
    expect(a.length, key).toBe(b.length)
    a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]) / Math.max(1, Math.abs(b[i])))))
  }
  return worst
}

interface CheckpointOptions {
  groups?: string
  /** a Python expression: the step the checkpoint records for every parameter */
  step?: string
  /** torch goes on from the file; not from a step its Adam cannot take */
  goOn?: boolean
  /** the file keeps the second parameter's state under the key True, and torch goes on from it loaded back */
  trueKey?: boolean
}

async function torchCheckpoint(
  name: string,
  optimizer: string,
  kwargs: Record<string, unknown>,
  { groups = 'all', step, goOn = true, trueKey = false }: CheckpointOptions = {},
): Promise<{ path: string; after: TorchRun }> {
  const path = join(dir, `${name}.pth`)
  const after = await python<TorchRun>(TORCH, { csv: CARS, optimizer, kwargs, epochs: 2, path, groups, step, goOn, trueKey })
  return { path, after }
}

const request = (optimizer: TrainRequestInput['train']['optimizer'], initFrom: string): TrainRequestInput => ({
  dataset: { source: { kind: 'file', path: CARS }, features: ['wt'], target: 'mpg', scale: 'none' },
  model: { kind: 'sequential', layers: [...LAYERS] },
  train: { optimizer, epochs: 2, batchSize: 8 },
  engine: 'dense',
  initFrom,
})

const CASES = [
  // each run asks for other settings than the file's: torch's load_state_dict takes the file's
  {
    optimizer: 'SGD',
    kwargs: { lr: 0.001, momentum: 0.9, nesterov: true },
    run: { name: 'SGD', lr: 0.02 },
    changed: /lr=0\.001 \(this run asked for 0\.02\), momentum=0\.9 \(this run asked for 0\), nesterov=True/,
  },
  {
    optimizer: 'Adam',
    kwargs: { lr: 0.01, betas: [0.8, 0.95], amsgrad: true },
    run: { name: 'Adam', lr: 0.001 },
    changed: /betas=\(0\.8, 0\.95\)/,
  },
  {
    optimizer: 'AdamW',
    kwargs: { lr: 0.01, weight_decay: 0.05 },
    run: { name: 'AdamW', lr: 0.01, weightDecay: 0.05 },
    changed: /its settings are this run's/,
  },
  {
    optimizer: 'RMSprop',
    kwargs: { lr: 0.001, momentum: 0.5, centered: true },
    run: { name: 'RMSprop', lr: 0.01 },
    changed: /centered=True/,
  },
  {
    optimizer: 'Adagrad',
    kwargs: { lr: 0.05, lr_decay: 0.01, initial_accumulator_value: 0.1 },
    run: { name: 'Adagrad', lr: 0.01 },
    changed: /lr_decay=0\.01/,
  },
] as const

describe("a torch checkpoint's optimizer_state_dict on --init", () => {
  it.each(CASES)(
    '$optimizer: TorchLab continues from the file as torch does, state and settings included',
    async ({ optimizer, kwargs, run, changed }) => {
      const { path, after } = await torchCheckpoint(`torch-${optimizer}`, optimizer, kwargs)
      const { runId, optimizerNote } = await service.startTraining(request(run, path))
      const at = optimizer === 'SGD' ? '' : ' at step 8'
      expect(optimizerNote).toMatch(
        new RegExp(
          `^Restored the torch\\.optim\\.${optimizer} state from .*torch-${optimizer}\\.pth${at}, as optimizer\\.load_state_dict does`,
        ),
      )
      expect(optimizerNote).toMatch(changed)
      const summary = await service.waitForRun(runId)
      expect(summary.status).toBe('completed')
      // issue 11's bound: TorchLab's matrix products add in another order than torch's BLAS, so weights and state differ in float32's last bits
      expect(maxDiff(summary.stateDict, after.weights)).toBeLessThan(1e-5)
      const saved = join(dir, `lab-${optimizer}.pth`)
      await service.saveRun({ runId, path: saved, kind: 'checkpoint' })
      const ours = await python<TorchState & { groups: Record<string, unknown>[] }>(READ, saved)
      expect(Object.keys(ours.state)).toEqual(Object.keys(after.state))
      for (const id of Object.keys(after.state)) expect(maxDiff(ours.state[id], after.state[id])).toBeLessThan(1e-5)
      // the settings the run trained with are the file's
      for (const [key, value] of Object.entries(kwargs)) expect(ours.groups[0][key]).toEqual(value)
    },
  )

  it('says why a file whose optimizer does not fit was not used, and trains from fresh state with the run’s settings', async () => {
    const adam = await torchCheckpoint('adam-for-sgd', 'Adam', { lr: 0.01 })
    const sgd = { name: 'SGD', lr: 0.001 } as const
    const other = await service.startTraining(request(sgd, adam.path))
    expect(other.optimizerNote).toMatch(
      /^The optimizer state in .*adam-for-sgd\.pth was not used: it is torch\.optim\.Adam's, and this run uses SGD\. The optimizer starts fresh\.$/,
    )
    // the file's weights as a JSON state_dict, which brings no optimizer: the same run
    const fresh = await service.startTraining({
      ...request(sgd, adam.path),
      initFrom: undefined,
      init: adam.after.saved,
    })
    expect((await service.waitForRun(fresh.runId)).stateDict).toEqual((await service.waitForRun(other.runId)).stateDict)
    expect((await service.getRun(other.runId)).train.optimizer).toMatchObject(sgd)

    const part = await torchCheckpoint('first-layer', 'SGD', { lr: 0.001, momentum: 0.9 }, { groups: 'first layer' })
    expect((await service.startTraining(request(sgd, part.path))).optimizerNote).toMatch(
      /not used: it holds state for 2 parameters and this model has 4\./,
    )
    const two = await torchCheckpoint('two-groups', 'SGD', { lr: 0.001, momentum: 0.9 }, { groups: 'two' })
    expect((await service.startTraining(request(sgd, two.path))).optimizerNote).toMatch(
      /not used: it has 2 param groups, and TorchLab trains all parameters as one\./,
    )
  })

  it('the CLI says what became of the optimizer state, in text and in --json', async () => {
    const { path } = await torchCheckpoint('cli-rmsprop', 'RMSprop', { lr: 0.001, alpha: 0.9 })
    const lab = (args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'src/main/cli.ts'),
          'train',
          '--data',
          CARS,
          '--x',
          'wt',
          '--y',
          'mpg',
          '--scale',
          'none',
          '--layers',
          'Linear(3), ReLU(), Linear(1)',
          '--epochs',
          '1',
          '--batch-size',
          '8',
          '--init',
          path,
          ...args,
        ],
        {
          cwd: ROOT,
          env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir() },
        },
      )
    const text = await lab(['--optimizer', 'rmsprop', '--lr', '0.01'])
    expect(text.stderr).toMatch(
      /Restored the torch\.optim\.RMSprop state from .* at step 8, as optimizer\.load_state_dict does; its settings replace this run's, as torch's do: lr=0\.001 \(this run asked for 0\.01\), alpha=0\.9 \(this run asked for 0\.99\)\./,
    )
    const json = JSON.parse((await lab(['--optimizer', 'adagrad', '--json'])).stdout) as {
      optimizer_note: string
      status: string
    }
    expect(json.status).toBe('completed')
    expect(json.optimizer_note).toMatch(/not used: it is torch\.optim\.RMSprop's, and this run uses Adagrad\./)
  })

  it("counts Adam's steps in float32 as torch's step tensor does: from 2^24 − 2, eight more steps end at 2^24", async () => {
    const { path, after } = await torchCheckpoint('adam-near-2-24', 'Adam', { lr: 0.01 }, { step: 'torch.tensor(2.0 ** 24 - 2)' })
    const { runId, optimizerNote } = await service.startTraining(request({ name: 'Adam', lr: 0.01 }, path))
    expect(optimizerNote).toMatch(/at step 16777214,/)
    expect((await service.waitForRun(runId)).status).toBe('completed')
    const saved = join(dir, 'lab-adam-near-2-24.pth')
    await service.saveRun({ runId, path: saved, kind: 'checkpoint' })
    const ours = await python<TorchState>(READ, saved)
    for (const id of Object.keys(after.state)) expect(ours.state[id].step).toBe(after.state[id].step)
    expect(after.state['0'].step).toBe(2 ** 24)
  })

  it("finds a parameter's state kept under True, as torch's lookup does (True == 1 in Python, with one hash)", async () => {
    const { path, after } = await torchCheckpoint('adam-true-key', 'Adam', { lr: 0.01 }, { trueKey: true })
    const { runId, optimizerNote } = await service.startTraining(request({ name: 'Adam', lr: 0.01 }, path))
    expect(optimizerNote).toMatch(/^Restored the torch\.optim\.Adam state from .* at step 8,/)
    const summary = await service.waitForRun(runId)
    // without the second parameter's state its Adam starts over, and the weights leave torch's by far more than float32's precision
    expect(maxDiff(summary.stateDict, after.weights)).toBeLessThan(1e-5)
  })

  it.each([
    ['NaN', 'torch.tensor(float("nan"))', /the step for "0\.weight" is NaN/],
    ['negative', '-3', /the step for "0\.weight" is -3/],
    ['a fraction', 'torch.tensor(2.5)', /the step for "0\.weight" is 2\.5/],
    ['past 2^24', 'torch.tensor(2.0 ** 24 + 2)', /the step for "0\.weight" is 16777218/],
  ])('a step that is %s is not used, with a sentence naming it, and the run starts fresh', async (label, step, message) => {
    const { path } = await torchCheckpoint(`step-${label.replace(/\W+/g, '-')}`, 'Adam', { lr: 0.01 }, { step, goOn: false })
    const { runId, optimizerNote } = await service.startTraining(request({ name: 'Adam', lr: 0.01 }, path))
    expect(optimizerNote).toMatch(message)
    expect(optimizerNote).toMatch(/whole number of steps from 0 to 16777216 \(2\^24\)\. The optimizer starts fresh\.$/)
    expect((await service.waitForRun(runId)).status).toBe('completed')
  })
})

describe('param_group settings TorchLab cannot run', () => {
  it('are named in one sentence that ends once (torch.optim.SGD takes a negative dampening; TorchLab does not)', async () => {
    const { path } = await torchCheckpoint('sgd-dampening', 'SGD', { lr: 0.001, momentum: 0.9, dampening: -0.5 }, { goOn: false })
    const { runId, optimizerNote } = await service.startTraining(request({ name: 'SGD', lr: 0.001 }, path))
    expect(optimizerNote).toMatch(/not used: its param_group's settings are not ones TorchLab can run: Dampening must be at least 0\. The optimizer starts fresh\.$/)
    expect((await service.waitForRun(runId)).status).toBe('completed')
  })
})
