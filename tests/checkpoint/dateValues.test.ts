/**
 * A checkpoint with dates and times beside its weights ('saved_at': datetime.now(), an elapsed
 * timedelta), as training scripts save them, which torch.load(weights_only=False) reads through
 * Python's datetime. TorchLab refused the whole file ("asks to run datetime.datetime"); it now
 * reads each from its pickled state, calling nothing, and shows it as Python's repr shows it;
 * the file exports as one with plain floats does.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CheckpointInfo } from '../../src/shared/api'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-dates-')

const SAVE = `
import datetime as dt, torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 1))
values = {
    "saved_at": dt.datetime(2026, 11, 29, 3, 31, 2, 123456),
    "on_the_minute": dt.datetime(2026, 1, 2, 3, 4),
    "on_the_second": dt.datetime(1999, 12, 31, 23, 59, 58),
    "utc": dt.datetime(2026, 11, 29, 3, 31, tzinfo=dt.timezone.utc),
    "paris": dt.datetime(2026, 7, 1, 12, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=2), "CEST")),
    "east": dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
    "day": dt.date(2026, 11, 29),
    "at": dt.time(3, 31, 2),
    "at_us": dt.time(0, 0, 0, 7),
    "elapsed": dt.timedelta(days=1, seconds=3, microseconds=5),
    "none": dt.timedelta(0),
    "back": dt.timedelta(seconds=-1),
    "zone": dt.timezone.utc,
}
torch.save({"model_state_dict": model.state_dict(), **values}, INPUT["dates"])
loaded = torch.load(INPUT["dates"], weights_only=False)
print(json.dumps({k: repr(loaded[k]) for k in values}))
`

describe('dates and times in a checkpoint', () => {
  it('are read as torch.load gives them, by their repr, with the weights beside them', async () => {
    const path = join(dir, 'dates.pth')
    const torch = await python<Record<string, string>>(SAVE, { dates: path })
    const info = (await service.openCheckpoint(path, { values: true })) as CheckpointInfo
    expect(info.tensors.map((t) => t.key)).toEqual(['0.weight', '0.bias'])
    const ours = Object.fromEntries(Object.keys(torch).map((key) => [key, info.tree.find((n) => n.path === key)?.summary]))
    expect(ours).toEqual(torch)
  })

  it('are data torch 1.13 refuses with weights_only=True: the file exports with its weights written again beside the script', async () => {
    const path = join(dir, 'dates.pth')
    const out = join(dir, 'dates.py')
    const result = await service.exportPython({ checkpoint: path, out })
    expect(result.written?.[0]).toMatch(/dates\.weights\.pth$/)
    const reloaded = await python<Record<string, number[]>>(`import torch\nprint(json.dumps({k: v.reshape(-1).tolist() for k, v in torch.load(INPUT, weights_only=True).items()}))`, result.written![0])
    const info = (await service.openCheckpoint(path, { values: true })) as CheckpointInfo
    expect(reloaded).toEqual(Object.fromEntries(info.tensors.map((t) => [t.key, t.values])))
  })
})
