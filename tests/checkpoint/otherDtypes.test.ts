/**
 * torch's dtypes TorchLab holds no tensors of (complex, quantized). A complex tensor was refused
 * as a damaged file ("a storage has an unknown type"), and a checkpoint that merely names
 * torch.complex64 as a value (which torch.load(weights_only=True) loads) was refused as code to
 * run. Files written by real PyTorch.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-other-dtypes-')
const files = { complex: join(dir, 'complex.pth'), named: join(dir, 'named.pth') }

describe('dtypes TorchLab does not hold', () => {
  let loaded: string
  beforeAll(async () => {
    loaded = await python<string>(
      `
import torch, collections
sd = collections.OrderedDict([('linear.weight', torch.tensor([[0.5]])), ('linear.bias', torch.tensor([-0.25]))])
torch.save(collections.OrderedDict([('linear.weight', torch.tensor([[1 + 2j]])), ('linear.bias', torch.tensor([0.5]))]), INPUT['complex'])
torch.save({'model_state_dict': sd, 'dtype': torch.complex64}, INPUT['named'])
print(json.dumps(str(torch.load(INPUT['named'], weights_only=True)['dtype'])))`,
      files,
    )
  })

  it('a complex tensor is refused as unsupported, naming its storage, not as damage', async () => {
    await expect(service.openCheckpoint(files.complex)).rejects.toMatchObject({
      info: { code: 'CHECKPOINT_UNSUPPORTED', key: 'torch.ComplexFloatStorage', message: expect.stringMatching(/^This file holds tensors stored as torch\.ComplexFloatStorage; TorchLab reads tensors of float, integer and bool dtypes only\.$/) },
    })
  })

  it('a dtype named as a value is data, as torch.load(weights_only=True) reads it: the checkpoint opens', async () => {
    expect(loaded).toBe('torch.complex64')
    const info = await service.openCheckpoint(files.named, { values: true })
    expect(info.kind).toBe('checkpoint')
    expect(info.tensors.map((t) => [t.key, t.values])).toEqual([
      ['linear.weight', [0.5]],
      ['linear.bias', [-0.25]],
    ])
  })
})
