/**
 * A .pth's records checksummed while the file is read (checkpoint/recordSums.ts with the kernel in
 * checkpoint/crc32): the kernel's CRC is zlib's on every length, offset and start value, however
 * the bytes arrive, and a file read with its records followed opens exactly as the same file read
 * whole and checked afterwards — a state_dict torch wrote, and 600 structure-aware mutants of it
 * (cut, fields changed, records dropped or doubled, data changed with or without its checksum).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 as zlibCrc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { checksummedArea, crc32, followCrc } from '../../src/main/lab/checkpoint/crc32/crc32'
import { MAX_PTH_BYTES, openCheckpoint, type FileRead } from '../../src/main/lab/checkpoint/files'
import { RecordSums } from '../../src/main/lab/checkpoint/recordSums'
import { createRng } from '../../src/main/lab/data/rng'
import type { ReadFollower } from '../../src/main/lab/files/readFollower'
import { ReadBuffer } from '../../src/main/lab/sandbox/readBuffer'
import { LabError } from '../../src/shared/errors'
import { tempDir } from '../helpers/lab'
import { PYTHON } from '../helpers/python'
import { mutatedPths } from './pthMutations'

const dir = tempDir('torchlab-recordsums-')
const rng = createRng(20261129)
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng() * 256))

/** torch's own file: two records long enough to be followed (307 KB and 800 KB), and a short one */
const TORCH_FILE = join(dir, 'torch_large.pth')
execFileSync(PYTHON, [
  '-c',
  `import torch; torch.manual_seed(0); torch.save({"a": torch.randn(256, 300), "b": torch.randn(200000), "c": torch.randn(5)}, ${JSON.stringify(TORCH_FILE)})`,
])

/** reads through the parse worker's buffer, keeping each follower to look at its sums */
function followedReads(): { read: FileRead; followers: RecordSums[] } {
  const buffer = new ReadBuffer()
  const followers: RecordSums[] = []
  return {
    followers,
    read: (path, follower) => {
      followers.push(follower as RecordSums)
      return buffer.read(path, false, MAX_PTH_BYTES, follower)
    },
  }
}

/** what opening a file gives: its description, or the refusal's code and sentence */
async function outcome(path: string, read?: FileRead): Promise<unknown> {
  try {
    return (await openCheckpoint(path, [], true, undefined, read)).info
  } catch (err) {
    if (!(err instanceof LabError)) throw err
    return { code: err.info.code, message: err.info.message }
  }
}

describe('the CRC kernel', () => {
  it("computes zlib.crc32 on every length, offset and start value, in an area or not, whole or as it arrives", () => {
    const source = randomBytes(1_200_000)
    const area = checksummedArea(source.length)
    area.set(source)
    let followed = 0
    for (const length of [0, 3, 237_919, 237_920, 237_921, 237_923, 238_064, 300_001, 1_199_990]) {
      for (const offset of [0, 1, 2, 3, 6]) {
        for (const value of [0, 1, 0xffffffff, 0x8badf00d]) {
          const plain = source.subarray(offset, offset + length)
          const expected = zlibCrc32(plain, value)
          expect(crc32(plain, value)).toBe(expected)
          const inArea = area.subarray(offset, offset + length)
          expect(crc32(inArea, value)).toBe(expected)
          const follow = followCrc(inArea, value)
          if (!follow) continue
          // told in uneven steps, some repeated, some going nowhere
          for (let known = 0; known < length; known += Math.floor(rng() * 90_000)) follow.advance(known)
          expect(follow.end()).toBe(expected)
          followed++
        }
      }
    }
    expect(followed).toBeGreaterThan(100)
    expect(followCrc(source.subarray(0, 500_000))).toBeNull()
  })
})

describe('a .pth read with its records followed', () => {
  it('sums the long records of a state_dict torch wrote, and opens it as a whole read does', async () => {
    const { read, followers } = followedReads()
    const followed = await outcome(TORCH_FILE, read)
    expect(followed).toEqual(await outcome(TORCH_FILE))
    expect(followed).toMatchObject({ tensors: [{ key: 'a', shape: [256, 300] }, { key: 'b', shape: [200000] }, { key: 'c', shape: [5] }] })
    expect([...followers[0].sums.values()].map((s) => s.size).sort((x, y) => x - y)).toEqual([307_200, 800_000])
  })

  it('refuses a changed byte in a followed record by name, as a whole read does', async () => {
    const bytes = readFileSync(TORCH_FILE)
    const at = bytes.indexOf(Buffer.from('torch_large/data/1')) // the 800 KB record's local header: its data starts past it
    bytes[at + 400_000] ^= 0x10
    const path = join(dir, 'damaged.pth')
    writeFileSync(path, bytes)
    const { read, followers } = followedReads()
    const refused = await outcome(path, read)
    expect(refused).toEqual({ code: 'CHECKPOINT_INVALID', message: expect.stringMatching(/The record "torch_large\/data\/1" is damaged \(its checksum does not match\)/) })
    expect(refused).toEqual(await outcome(path))
    expect(followers[0].sums.size).toBe(2)
  })

  it('opens 600 mutants of it exactly as a whole read does', async () => {
    const mutants = mutatedPths([{ name: 'torch_large.pth', bytes: readFileSync(TORCH_FILE) }], 600, 7)
    const { read, followers } = followedReads()
    let summed = 0
    for (const [i, mutant] of mutants.entries()) {
      const path = join(dir, `mutant-${i}.pth`)
      writeFileSync(path, mutant.bytes)
      const followed = await outcome(path, read)
      expect({ what: mutant.what, outcome: followed }).toEqual({ what: mutant.what, outcome: await outcome(path) })
      if (followers[i].sums.size > 0) summed++
    }
    // the comparison means something only if most mutants had records summed while read (not a cut end or a changed directory)
    expect(summed).toBeGreaterThan(mutants.length / 2)
  }, 300_000)

  it('leaves a directory longer than the tail it reads first to the whole read', async () => {
    const path = join(dir, 'many_records.pth')
    execFileSync(PYTHON, [
      '-c',
      `import torch, zipfile
torch.save({"w": torch.ones(100000)}, ${JSON.stringify(path)})
with zipfile.ZipFile(${JSON.stringify(path)}, "a") as z:
    root = z.namelist()[0].split("/")[0]
    for i in range(3000): z.writestr(f"{root}/extra/{i:05d}", b"")`,
    ])
    const { read, followers } = followedReads()
    const followed = await outcome(path, read)
    expect(followed).toEqual(await outcome(path))
    expect(followed).toMatchObject({ tensors: [{ key: 'w', shape: [100000] }] })
    expect(followers[0].sums.size).toBe(0)
  })

  it('refuses a file cut short after its end was read, as cut short', async () => {
    const path = join(dir, 'shrinking.pth')
    writeFileSync(path, readFileSync(TORCH_FILE))
    const sums = new RecordSums()
    // the follower is told of the tail, then the file loses its second half before the rest is read
    const shrinking: ReadFollower = {
      tailBytes: (size) => sums.tailBytes(size),
      tail: (bytes) => {
        sums.tail(bytes)
        truncateSync(path, Math.floor(bytes.length / 2))
      },
      known: (known) => sums.known(known),
    }
    const buffer = new ReadBuffer()
    const refused = await outcome(path, (p) => buffer.read(p, false, MAX_PTH_BYTES, shrinking))
    expect(refused).toMatchObject({ code: 'CHECKPOINT_INVALID', message: expect.stringMatching(/directory at the end is missing/) })
  })
})
