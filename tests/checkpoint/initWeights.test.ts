/**
 * The weights `--init` takes from a file (toFloat32StateDict, as the parse worker runs it): each
 * has its memory to itself, so it crosses to the training thread without the file and stays as
 * it is when the next file is read into the same memory. A tensor already read out of the file
 * (a strided view) is handed over as it is, not copied once more. Files written by real PyTorch,
 * in the zip and the legacy format, with a tied weight and a transposed view.
 */
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { openCheckpoint, startingPointFromFile } from '../../src/main/lab/checkpoint/files'
import { toFloat32StateDict } from '../../src/main/lab/checkpoint/infer'
import { ReadBuffer } from '../../src/main/lab/sandbox/readBuffer'
import { optimizerSpecSchema } from '../../src/shared/schemas'
import { tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const dir = tempDir('torchlab-init-weights-')
const files = { zip: join(dir, 'zip.pth'), legacy: join(dir, 'legacy.pth') }

describe('weights taken from a file', () => {
  let expected: Record<string, number[]>
  beforeAll(async () => {
    expected = await python<Record<string, number[]>>(
      `
import torch
t = torch.arange(4000, dtype=torch.float32).reshape(40, 100) / 7
sd = {'0.weight': t, '0.bias': torch.linspace(-1, 1, 40), 'tied': t, 'transposed': t.t()}
torch.save(sd, INPUT['zip'])
torch.save(sd, INPUT['legacy'], _use_new_zipfile_serialization=False)
print(json.dumps({k: v.flatten().tolist() for k, v in sd.items()}))`,
      files,
    )
  })

  it.each(['zip', 'legacy'] as const)('from torch’s %s format have memory of their own; a strided view is not copied again', async (format) => {
    const memory = new ReadBuffer()
    let last: Uint8Array | undefined
    const read = async (path: string) => (last = await memory.read(path, false, 2 ** 30))
    const opened = await openCheckpoint(files[format], [], false, undefined, read)
    const sd = toFloat32StateDict(opened.contents.tensors)
    expect(sd.map((t) => t.name)).toEqual(Object.keys(expected))
    for (const t of sd) expect(t.data.byteLength).toBe(t.data.buffer.byteLength)
    expect(new Set(sd.map((t) => t.data.buffer)).size).toBe(sd.length)
    const transposed = sd.findIndex((t) => t.name === 'transposed')
    expect(sd[transposed].data).toBe(opened.contents.tensors[transposed].tensor.data)

    // the next file, as large, lands in the memory this one was read into
    const other = join(dir, `other-${format}.bin`)
    writeFileSync(other, new Uint8Array(statSync(files[format]).size).fill(0xff))
    const fileMemory = last!.buffer
    await read(other)
    expect(last!.buffer).toBe(fileMemory)
    for (const t of sd) expect(Array.from(t.data)).toEqual(expected[t.name].map(Math.fround))
  })
})

describe('int64 weights', () => {
  it('become the float32 values torch.load_state_dict casts them to, rounded once (past 2^53 too)', async () => {
    const path = join(dir, 'int64.pth')
    // 2^60 + 2^36 + 1: through float64 first it rounds to 2^60 + 2^36, a float32 midpoint, and then ties down to 2^60
    const torch = await python<{ weight: number[]; bias: number[] }>(
      `
import torch
w = torch.tensor([[2**60 + 2**36 + 1, -(2**60 + 2**36 + 1), 2**53 + 1, 2**62 - 1, -(2**63), 16777217, 7]], dtype=torch.int64)
sd = {'linear.weight': w, 'linear.bias': torch.tensor([2**40 + 2**16 + 1], dtype=torch.int64)}
torch.save(sd, INPUT)
m = torch.nn.Linear(7, 1)
m.load_state_dict({'weight': sd['linear.weight'], 'bias': sd['linear.bias']})
print(json.dumps({'weight': m.weight.flatten().tolist(), 'bias': m.bias.tolist()}))`,
      path,
    )
    const shapes = [
      { name: 'linear.weight', shape: [1, 7] },
      { name: 'linear.bias', shape: [1] },
    ]
    const sd = (await startingPointFromFile(path, shapes, optimizerSpecSchema.parse({ name: 'SGD', lr: 0.1 }))).initial
    expect(Array.from(sd[0].data)).toEqual(torch.weight)
    expect(Array.from(sd[1].data)).toEqual(torch.bias)
    expect(torch.weight[0]).toBe(2 ** 60 + 2 ** 37)
  })
})
