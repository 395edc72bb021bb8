/**
 * A checkpoint whose loss or score came from numpy (np.mean, sklearn's metrics) holds numpy
 * scalars, which torch.load(weights_only=False) reads through numpy. TorchLab refused the whole
 * file ("asks to run numpy.core.multiarray.scalar"), weights and all; it now reads each number
 * from its bytes, calling nothing, and exports the file as one with plain floats. A numpy value
 * that is not a number (a string) is refused by its dtype, and a numpy array as data TorchLab does
 * not read (it was refused as code: "asks to run numpy.ndarray").
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CheckpointInfo } from '../../src/shared/api'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-numpy-')

/** torch saves a checkpoint with numpy scalars, and says what torch.load(weights_only=False) gives for each, and whether weights_only=True loads it */
const SAVE = `
import numpy as np, torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 1))
values = {
    "loss": np.float64(0.1) + np.float64(0.2),
    "score": np.float32(0.7),
    "epoch": np.int64(2 ** 40 + 3),
    "step": np.int32(-5),
    "count": np.uint8(250),
    "huge": np.uint64(2 ** 64 - 1),
    "improved": np.bool_(True),
    "big_endian": np.array([1.5e-3], dtype=">f8")[0],
}
torch.save({"model_state_dict": model.state_dict(), **values}, INPUT["numbers"])
torch.save({"model_state_dict": model.state_dict(), "name": np.str_("adam")}, INPUT["text"])
torch.save({"model_state_dict": model.state_dict(), "losses": np.array([0.5, 0.25])}, INPUT["array"])
loaded = torch.load(INPUT["numbers"], weights_only=False)
try:
    torch.load(INPUT["numbers"], weights_only=True)
    weights_only = "loaded"
except Exception as e:
    weights_only = type(e).__name__
print(json.dumps({"values": {k: repr(loaded[k].item()) for k in values},
                  "text": repr(torch.load(INPUT["text"], weights_only=False)["name"]), "array": torch.load(INPUT["array"], weights_only=False)["losses"].tolist(), "weights_only": weights_only}))
`

const files = { numbers: join(dir, 'numbers.pth'), text: join(dir, 'text.pth'), array: join(dir, 'array.pth') }
const saved = python<{ values: Record<string, string>; text: string; array: number[]; weights_only: string }>(SAVE, files)

describe('numpy scalars in a checkpoint', () => {
  it('are read as the numbers torch.load gives, with the weights beside them', async () => {
    const torch = await saved
    const info = (await service.openCheckpoint(files.numbers, { values: true })) as CheckpointInfo
    expect(info.tensors.map((t) => t.key)).toEqual(['0.weight', '0.bias'])
    // each as the tree shows it, which is Python's repr (True, 0.30000000000000004, 18446744073709551615)
    const ours = Object.fromEntries(Object.keys(torch.values).map((key) => [key, info.tree.find((n) => n.path === key)?.summary]))
    expect(ours).toEqual(torch.values)
  })

  it('are data torch 1.13 refuses with weights_only=True: the file exports with its weights written again beside the script', async () => {
    const torch = await saved
    expect(torch.weights_only).toBe('UnpicklingError')
    const out = join(dir, 'numbers.py')
    const result = await service.exportPython({ checkpoint: files.numbers, out })
    expect(result.written?.[0]).toMatch(/numbers\.weights\.pth$/)
    const reloaded = await python<Record<string, number[]>>(`import torch\nprint(json.dumps({k: v.reshape(-1).tolist() for k, v in torch.load(INPUT, weights_only=True).items()}))`, result.written![0])
    const info = (await service.openCheckpoint(files.numbers, { values: true })) as CheckpointInfo
    expect(reloaded).toEqual(Object.fromEntries(info.tensors.map((t) => [t.key, t.values])))
  })

  it('a numpy string is refused by its dtype, in a sentence that says what to save instead', async () => {
    expect((await saved).text).toBe("'adam'")
    await expect(service.openCheckpoint(files.text, { values: false })).rejects.toThrow(/holds a numpy value of dtype "U4"; TorchLab reads numpy numbers and bools only\. In PyTorch, save it as a plain Python value/)
  })

  it('a numpy array is refused as data TorchLab does not read, not as code, saying what to save instead', async () => {
    expect((await saved).array).toEqual([0.5, 0.25])
    const refused = service.openCheckpoint(files.array, { values: false })
    await expect(refused).rejects.toMatchObject({ info: { code: 'CHECKPOINT_UNSUPPORTED' } })
    await expect(refused).rejects.toThrow(/holds a numpy array \(built by numpy\.core\.multiarray\._reconstruct\); TorchLab reads numpy numbers, not arrays\. In PyTorch, save it as a tensor \(torch\.from_numpy\(a\)\) or a list/)
  })
})
