/**
 * A save streams: the zip's records go to the file in order while the next piece is checksummed
 * (CRC and sizes in data descriptors, as torch writes them), flushes start as the file grows, and
 * the weights are checked finite in the same pass. Real PyTorch reads what it writes; a refusal
 * or a failure midway leaves the previous file whole and no temporary file.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { saveRunFile, saveStateDict, type RunToSave } from '../../src/main/lab/checkpoint/files'
import { readPth } from '../../src/main/lab/checkpoint/readPth'
import { PIECE_BYTES } from '../../src/main/lab/checkpoint/zip'
import { atomicWrite, writerOf } from '../../src/main/lab/files/atomicWrite'
import { writePieces } from '../../src/main/lab/files/writePieces'
import type { StateDict } from '../../src/main/lab/model/stateDict'
import { labError } from '../../src/shared/errors'
import { tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

/** a weight over more than two pieces (the last one short), a bias, and a weight with no elements */
const LONG = 2 * (PIECE_BYTES / 4) + 1001
function weights(value: number): StateDict {
  return [
    { name: '0.weight', shape: [LONG, 1], data: Float32Array.from({ length: LONG }, (_, i) => value + Math.sin(i)) },
    { name: '0.bias', shape: [LONG], data: new Float32Array(LONG).fill(value) },
    { name: '1.weight', shape: [0, 3], data: new Float32Array(0) },
  ]
}
function sum(values: ArrayLike<number>): number {
  let total = 0
  for (let i = 0; i < values.length; i++) total += values[i]
  return total
}
const ourTemps = (dir: string) => readdirSync(dir).filter((name) => writerOf(name) !== undefined)

describe('a streamed save', () => {
  it('writes a state_dict that torch loads with weights_only=True, every checksum right, a tensor over several pieces and one of none', async () => {
    const dir = tempDir('torchlab-stream-')
    const path = join(dir, 'model.pth')
    const sd = weights(0.25)
    const size = await saveStateDict(path, sd)
    expect(size).toBe(readFileSync(path).length)
    expect(ourTemps(dir)).toEqual([])

    const torch = await python<{ bad: string | null; flags: number[]; shapes: number[][]; sums: number[]; samples: number[] }>(
      `
import zipfile, torch
z = zipfile.ZipFile(INPUT)
bad = z.testzip()
sd = torch.load(INPUT, weights_only=True)
w = sd['0.weight'].flatten()
print(json.dumps({'bad': bad, 'flags': [i.flag_bits for i in z.infolist()], 'shapes': [list(v.shape) for v in sd.values()],
  'sums': [float(v.double().sum()) for v in sd.values()], 'samples': [float(w[i]) for i in (0, ${PIECE_BYTES / 4 - 1}, ${PIECE_BYTES / 4}, ${LONG - 1})]}))`,
      path,
    )
    // testzip reads every record and checks its CRC
    expect(torch.bad).toBeNull()
    expect(new Set(torch.flags)).toEqual(new Set([0x0808]))
    expect(torch.shapes).toEqual(sd.map((t) => t.shape))
    sd.forEach((t, i) => expect(Math.abs(torch.sums[i] - sum(t.data))).toBeLessThanOrEqual(1e-9 * Math.abs(torch.sums[i])))
    const w = sd[0].data
    expect(torch.samples).toEqual([w[0], w[PIECE_BYTES / 4 - 1], w[PIECE_BYTES / 4], w[LONG - 1]])
    // TorchLab's own reader checks the CRCs as torch's does
    expect(readPth(readFileSync(path)).format).toBe('zip')
  })

  it('refuses NaN or ±∞ in any piece of a weight, leaving the previous file whole and no temporary file', async () => {
    const dir = tempDir('torchlab-stream-nan-')
    const path = join(dir, 'model.pth')
    const run = (sd: StateDict): RunToSave => ({ weights: sd, optimizer: { name: 'SGD', lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }, epoch: 1, loss: null, meta: undefined as never })
    await saveRunFile(path, 'state_dict', run(weights(1)))
    const before = readFileSync(path)
    for (const [at, bad] of [[0, NaN], [PIECE_BYTES / 4 + 7, Infinity], [LONG - 1, -Infinity]] as const) {
      const sd = weights(2)
      sd[0].data[at] = bad
      await expect(saveRunFile(path, 'state_dict', run(sd))).rejects.toMatchObject({
        info: { code: 'INVALID_ARGUMENT', message: 'These weights hold NaN or infinite values (the run diverged); TorchLab will not save them.' },
      })
      expect(readFileSync(path).equals(before)).toBe(true)
      expect(readdirSync(dir)).toEqual(['model.pth'])
    }
    const torch = await python<number>(`import torch\nprint(json.dumps(float(torch.load(INPUT, weights_only=True)['0.bias'][0])))`, path)
    expect(torch).toBe(1)
  })

  it('writes pieces of any size in order, flushing as it goes, and gives back the number of bytes', async () => {
    const dir = tempDir('torchlab-pieces-')
    const sizes = [0, 3, 5000, (1 << 20) + 1, 7, 0, 3 << 20, 64, (1 << 20) - 1, 2 << 20, 1]
    let seed = 7
    const pieces = sizes.map((n) => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24))
    for (const flushEvery of [1 << 20, Infinity]) {
      const path = join(dir, `pieces-${flushEvery}.bin`)
      const handle = await open(path, 'wx')
      const written = await writePieces(handle, pieces, { flushEvery })
      await handle.close()
      expect(written).toBe(sizes.reduce((a, b) => a + b, 0))
      expect(readFileSync(path).equals(Buffer.concat(pieces))).toBe(true)
    }
  })

  it('fails whole on a full disk, with nothing left writing into the file', async () => {
    const handle = await open('/dev/full', 'w')
    const err = await writePieces(handle, [new Uint8Array(3 << 20), new Uint8Array(10)], { flushEvery: 1 << 20 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ENOSPC' })
    await handle.close()
  })

  it('stops at an error of whatever produces the pieces: a refusal keeps its sentence, any other failure says the save failed; the previous file stays', async () => {
    const dir = tempDir('torchlab-producer-')
    const path = join(dir, 'model.pth')
    await atomicWrite(path, new TextEncoder().encode('old'))
    function* failing(err: Error): Generator<Uint8Array> {
      yield new Uint8Array(3 << 20).fill(1)
      yield new Uint8Array(3 << 20).fill(2)
      throw err
    }
    const refusal = labError('INVALID_ARGUMENT', 'Refused for a reason the student can act on.')
    await expect(atomicWrite(path, failing(refusal))).rejects.toBe(refusal)
    await expect(atomicWrite(path, failing(new Error('the producer broke')))).rejects.toMatchObject({
      info: { code: 'FILE_UNWRITABLE', message: expect.stringMatching(/could not save .*model\.pth: the producer broke\. The previous file, if any, is untouched/) },
    })
    expect(readFileSync(path, 'utf8')).toBe('old')
    expect(readdirSync(dir)).toEqual(['model.pth'])
  })
})
