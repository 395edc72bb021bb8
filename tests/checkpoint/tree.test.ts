/**
 * .pth files of any shape (torch writes them at test time): lab inspect shows everything
 * torch.load gives as a tree of paths, lists the state_dicts, and --key picks one for
 * inspecting and for lab train --init.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CheckpointInfo } from '../../src/shared/api'
import { pyFloat } from '../../src/main/lab/checkpoint/valueTree'
import { createService, ROOT, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-tree-')
const nested = join(dir, 'nested.pth')
const run = promisify(execFile)
let torchWeights: Record<string, Record<string, unknown>>

beforeAll(async () => {
  torchWeights = await python(
    `
import torch
from torch import nn
torch.manual_seed(0)
models = [nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)) for _ in range(2)]
opt = torch.optim.SGD(models[0].parameters(), lr=0.1, momentum=0.9)
models[0](torch.ones(4, 2)).sum().backward()
opt.step()
shared = {"note": "kept once"}
torch.save({"models": [m.state_dict() for m in models], "optimizer_state_dict": opt.state_dict(), "epoch": 7, "loss": 1e-7,
            "ok": True, "notes": "two nets", "pair": (1, 2.5), "a": shared, "b": shared,
            "tracked": torch.tensor(1600), "flag": torch.tensor(True), "half": torch.tensor(0.5, dtype=torch.float64)}, INPUT)
print(json.dumps({str(i): {k: v.tolist() for k, v in m.state_dict().items()} for i, m in enumerate(models)}))
`,
    nested,
  )
}, 60_000)

const node = (info: CheckpointInfo, path: string) => info.tree.find((n) => n.path === path)

describe('a .pth of any shape', () => {
  it('shows everything torch.load gives: nested lists of state_dicts, optimizer state, ints, bools, strings, tiny floats, shared values once', async () => {
    const info = await service.openCheckpoint(nested)
    expect(info.kind).toBe('collection')
    expect(info.stateDicts).toEqual([{ path: 'models.0', tensors: 4 }, { path: 'models.1', tensors: 4 }])
    expect(info.tensors).toEqual([])
    expect(info.model).toBeNull()
    expect(info.modelNote).toMatch(/2 state_dicts \(models\.0, models\.1\).*--key models\.0/)
    expect(node(info, 'models.1.2.weight')).toMatchObject({ type: 'tensor', dtype: 'float32', shape: [1, 3], name: '2.weight', depth: 3 })
    expect(node(info, 'optimizer_state_dict.state.0.momentum_buffer')).toMatchObject({ type: 'tensor', shape: [3, 2] })
    expect(node(info, 'optimizer_state_dict.param_groups.0.lr')).toMatchObject({ type: 'float', summary: '0.1' })
    expect(node(info, 'optimizer_state_dict.param_groups.0.nesterov')).toMatchObject({ type: 'bool', summary: 'False' })
    expect(node(info, 'epoch')).toMatchObject({ type: 'int', summary: '7' })
    expect(node(info, 'loss')).toMatchObject({ type: 'float', summary: '1e-07' })
    expect(node(info, 'ok')).toMatchObject({ type: 'bool', summary: 'True' })
    // one-element tensors read as torch prints them: tensor(1600), tensor(True), tensor(0.5, dtype=torch.float64)
    expect(node(info, 'tracked')).toMatchObject({ type: 'tensor', summary: 'int64 [] = 1600' })
    expect(node(info, 'flag')).toMatchObject({ type: 'tensor', summary: 'bool [] = True' })
    expect(node(info, 'half')).toMatchObject({ type: 'tensor', summary: 'float64 [] = 0.5' })
    expect(node(info, 'notes')).toMatchObject({ type: 'str', summary: "'two nets'" })
    expect(node(info, 'pair')).toMatchObject({ type: 'tuple', summary: '2 items' })
    expect(node(info, 'pair.1')).toMatchObject({ type: 'float', summary: '2.5' })
    expect(node(info, 'a.note')).toMatchObject({ type: 'str' })
    expect(node(info, 'b')).toMatchObject({ type: 'reference', summary: 'the same dict as a' })
    expect(node(info, 'b.note')).toBeUndefined()
  })

  it('--key picks one state_dict: its tensors, its values and the model they fit; a wrong key names the ones there are', async () => {
    const info = await service.openCheckpoint(nested, { key: 'models.1', values: true })
    expect(info.key).toBe('models.1')
    expect(info.tensors.map((t) => t.key)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias'])
    expect(info.tensors[0].values).toEqual((torchWeights['1']['0.weight'] as number[][]).flat().map((v) => Math.fround(v)))
    expect(info.model).toMatchObject({ kind: 'sequential', inFeatures: 2, outFeatures: 1 })
    await expect(service.openCheckpoint(nested, { key: 'models.5' })).rejects.toMatchObject({
      info: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/no state_dict at "models\.5".*models\.0, models\.1/) },
    })
  })

  it('lab train --init FILE --key models.1 starts from that state_dict', async () => {
    const { runId } = await service.startTraining({
      dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt', 'hp'], target: 'mpg' },
      model: { kind: 'mlp', hidden: [{ units: 3, activation: 'ReLU' }] },
      train: { optimizer: { name: 'SGD', lr: 1e-12 }, epochs: 1, batchSize: 32 },
      initFrom: nested,
      initKey: 'models.1',
    })
    const summary = await service.waitForRun(runId)
    expect(summary.status, summary.error?.message).toBe('completed')
    for (const [name, value] of Object.entries(torchWeights['1'])) {
      ;[summary.stateDict[name]].flat(2).forEach((v, i) => expect(v).toBeCloseTo([value].flat(2)[i] as number, 5))
    }
    await expect(
      service.startTraining({
        dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt', 'hp'], target: 'mpg' },
        model: { kind: 'mlp', hidden: [{ units: 3, activation: 'ReLU' }] },
        train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 1, batchSize: 32 },
        initFrom: nested,
      }),
    ).rejects.toMatchObject({ info: { message: expect.stringMatching(/2 state_dicts/) } })
  }, 60_000)

  it('lab inspect prints the tree and the weights of the chosen state_dict', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), 'inspect', nested, '--key', 'models.1'], { cwd: ROOT, env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir() } })
    expect(stdout).toContain('  models: list 2 items\n    0: OrderedDict 4 items, a state_dict\n      0.weight: tensor float32 [3, 2]\n')
    expect(stdout).toContain('        momentum_buffer: tensor float32 [3, 2]\n')
    expect(stdout).toContain('  epoch: 7\n  loss: 1e-07\n  ok: True\n')
    expect(stdout).toContain('weights (--key models.1):\n  0.weight float32 [3, 2]\n')
  }, 60_000)

  it('writes floats as Python does', () => {
    expect([1e-7, 0.0001, 1.5e-5, 0.1, 2.5, 3, 1e16, 123456789012345680000, -0, NaN, -Infinity].map(pyFloat)).toEqual([
      '1e-07', '0.0001', '1.5e-05', '0.1', '2.5', '3.0', '1e+16', '1.2345678901234568e+20', '-0.0', 'nan', '-inf',
    ])
  })
})
