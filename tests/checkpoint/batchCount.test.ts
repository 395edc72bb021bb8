/**
 * BatchNorm1d's num_batches_tracked is torch's int64: a count past float32's 2^24 from a file
 * torch wrote must come back out exactly, plus the batches TorchLab trained, as int64; a count
 * TorchLab could not carry exactly is refused, naming it, rather than saved changed.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseTrainArgv, trainRequestFromArgs } from '../../src/main/cli/trainArgs'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-count-')

// cars has 32 rows: 4 batches of 8 an epoch, 2 epochs
const argv = ['--data', 'cars', '--x', 'wt', '--y', 'mpg', '--scale', 'standard', '--layers', 'Linear(2), BatchNorm1d(2), ReLU(), Linear(1)', '--epochs', '2', '--batch-size', '8', '--lr', '0.01']

/** a state_dict torch wrote for the model of `argv`, its count set to `count` (a tensor expression) */
async function torchFile(name: string, count: string): Promise<string> {
  const path = join(dir, name)
  await python(
    `
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 2), nn.BatchNorm1d(2), nn.ReLU(), nn.Linear(2, 1))
state = model.state_dict()
state["1.num_batches_tracked"] = ${count}
torch.save(state, INPUT)
print("null")
`,
    path,
  )
  return path
}

describe("BatchNorm1d's num_batches_tracked", () => {
  it('a count beyond 2^24 survives torch → lab train → save → torch, exactly, as int64', async () => {
    const init = join(dir, 'init.pth')
    const start = 2 ** 24 + 1
    await python(
      `
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 2), nn.BatchNorm1d(2), nn.ReLU(), nn.Linear(2, 1))
model[1].num_batches_tracked.fill_(INPUT["start"])
torch.save(model.state_dict(), INPUT["path"])
print("null")
`,
      { start, path: init },
    )
    const { runId } = await service.startTraining({ ...trainRequestFromArgs(parseTrainArgv(argv)), initFrom: init })
    const summary = await service.waitForRun(runId)
    expect(summary.status).toBe('completed')
    expect(summary.stateDict['1.num_batches_tracked']).toBe(start + 8)
    const out = join(dir, 'trained.pth')
    await service.saveRun({ runId, path: out })
    const loaded = await python<{ count: number; dtype: string }>(
      `
import torch
state = torch.load(INPUT, weights_only=True)
t = state["1.num_batches_tracked"]
print(json.dumps({"count": int(t.item()), "dtype": str(t.dtype)}))
`,
      out,
    )
    expect(loaded).toEqual({ count: start + 8, dtype: 'torch.int64' })
  })

  it('a whole count torch holds as a float is taken, and counted on', async () => {
    const init = await torchFile('five.pth', 'torch.tensor(5.0)')
    const { runId } = await service.startTraining({ ...trainRequestFromArgs(parseTrainArgv(argv)), initFrom: init })
    const summary = await service.waitForRun(runId)
    expect(summary.status).toBe('completed')
    expect(summary.stateDict['1.num_batches_tracked']).toBe(5 + 8)
  })

  it.each([
    ['an int64 past 2^52', 'torch.tensor(2**62 + 1)', /"1\.num_batches_tracked" holds a count beyond 4503599627370496 \(2\^52\)/],
    ['a float past int64', 'torch.tensor(1e30)', /"1\.num_batches_tracked" holds a count beyond/],
    ['a fraction', 'torch.tensor(2.5)', /"1\.num_batches_tracked" is a count, but holds 2\.5, which is not a whole number/],
  ])('%s is refused with a sentence naming it', async (label, count, message) => {
    const init = await torchFile(`${label.replace(/\W+/g, '-')}.pth`, count)
    await expect(service.startTraining({ ...trainRequestFromArgs(parseTrainArgv(argv)), initFrom: init })).rejects.toThrow(message)
  })
})
