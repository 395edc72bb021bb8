/**
 * A .pth (legacy format, no zip to inflate) whose first pickle holds one text longer than a
 * JavaScript string can be: 513 MB, sparse on disk. Node's Latin-1 decoder (BINSTRING, STRING)
 * ended the whole process with a fatal V8 error, and the UTF-8 one (BINUNICODE) failed as an
 * internal error. Each is refused by TorchLab's text budget now, and the lab reads on.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { saveStateDict } from '../../src/main/lab/checkpoint/files'
import { namedTensor } from '../../src/main/lab/model/stateDict'
import { LabError } from '../../src/shared/errors'
import { createService, tempDir } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-long-text-pth-')
const TEXT_BYTES = 513 * 2 ** 20

/** PROTO 2, then `opcode` with a 4-byte little-endian length, then that many zero bytes (sparse) */
function sparsePth(name: string, opcode: number): string {
  const path = join(dir, name)
  const head = Buffer.alloc(7)
  head.set([0x80, 2, opcode])
  head.writeUInt32LE(TEXT_BYTES, 3)
  const fd = openSync(path, 'w')
  writeSync(fd, head)
  ftruncateSync(fd, head.length + TEXT_BYTES + 1)
  closeSync(fd)
  return path
}

describe('a .pth holding a text longer than a string can be', () => {
  it.each([
    ['BINSTRING', 0x54],
    ['BINUNICODE', 0x58],
  ])('as %s is refused by the text budget, and the next file reads', async (_, opcode) => {
    const refusal = await service.openCheckpoint(sparsePth(`text_${opcode}.pth`, opcode)).then(
      () => null,
      (err: unknown) => err,
    )
    expect(refusal).toBeInstanceOf(LabError)
    expect((refusal as LabError).info).toMatchObject({ code: 'CHECKPOINT_UNSAFE', message: expect.stringContaining("This file holds a text of 513 MB, beyond TorchLab's budget for one text (64 MB)") })
    const small = join(dir, 'small.pth')
    await saveStateDict(small, [namedTensor({ name: 'linear.weight', shape: [1, 1] }, [0.5]), namedTensor({ name: 'linear.bias', shape: [1] }, [-0.25])])
    expect((await service.openCheckpoint(small, { values: true })).tensors.map((t) => t.values)).toEqual([[0.5], [-0.25]])
  })
})
