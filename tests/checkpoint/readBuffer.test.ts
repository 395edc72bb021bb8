/**
 * The parse worker reads each file into the memory the previous one used. What is read is
 * exactly the file, never what a larger file left behind: a cut-short .pth read after a whole
 * one is still refused as cut short.
 */
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { followCrc } from '../../src/main/lab/checkpoint/crc32/crc32'
import { PyDict } from '../../src/main/lab/checkpoint/pickle/values'
import { Tensor } from '../../src/main/lab/checkpoint/tensor'
import { encodePth } from '../../src/main/lab/checkpoint/writePth'
import { ReadBuffer } from '../../src/main/lab/sandbox/readBuffer'
import { DEFAULT_LIMITS, ParseSandbox } from '../../src/main/lab/sandbox/sandbox'
import { tempDir } from '../helpers/lab'

const dir = tempDir('torchlab-readbuffer-')
const file = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}
const CAP = 2 ** 30
const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24)

describe('the read buffer', () => {
  it('reads a smaller file into the memory of a larger one, exactly its own bytes', async () => {
    const memory = new ReadBuffer()
    const large = await memory.read(file('large.bin', random(1 << 20)), false, CAP)
    const smaller = await memory.read(file('smaller.bin', random(3 << 18)), false, CAP)
    expect(smaller.buffer).toBe(large.buffer)
    expect(Buffer.from(smaller).equals(Buffer.from(random(3 << 18)))).toBe(true)
    expect(
      Buffer.from(await memory.read(join(dir, 'large.bin'), false, CAP)).equals(Buffer.from(random(1 << 20))),
    ).toBe(true)
  })

  it("lets a buffer more than twice a file's size go rather than keep it for small files", async () => {
    const memory = new ReadBuffer()
    const large = await memory.read(join(dir, 'large.bin'), false, CAP)
    const small = await memory.read(file('small.bin', Uint8Array.of(1, 2, 3)), false, CAP)
    expect(small.buffer).not.toBe(large.buffer)
    expect(small.byteLength).toBe(3)
    expect([...small]).toEqual([1, 2, 3])
  })

  it('refuses a file above the cap it is given, as it is when opened', async () => {
    const memory = new ReadBuffer()
    await expect(memory.read(join(dir, 'large.bin'), false, (1 << 20) - 1)).rejects.toMatchObject({
      info: {
        code: 'FILE_UNREADABLE',
        message: expect.stringMatching(/large\.bin grew to .* TorchLab opens files of this kind up to/),
      },
    })
  })

  it('names the file and its size when there is no memory for it', async () => {
    // a sparse terabyte: no disk used, but no machine gives an ArrayBuffer that large
    const path = join(dir, 'huge.bin')
    writeFileSync(path, '')
    truncateSync(path, 2 ** 40)
    await expect(new ReadBuffer().read(path, false, 2 ** 41)).rejects.toMatchObject({
      info: {
        code: 'FILE_UNREADABLE',
        message: expect.stringMatching(/huge\.bin \(1048576\.0 MB\) is too large to read in memory/),
      },
    })
  })

  it('gives shared memory only when asked, and otherwise memory whose records are checksummed as they arrive', async () => {
    const memory = new ReadBuffer()
    const path = file('some.bin', random(1 << 20))
    const plain = await memory.read(path, false, CAP)
    const shared = await memory.read(path, true, CAP)
    expect(plain.buffer).toBeInstanceOf(ArrayBuffer)
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(followCrc(plain)).not.toBeNull()
    expect(followCrc(shared)).toBeNull()
    expect(Buffer.from(await memory.read(path, false, CAP)).equals(Buffer.from(random(1 << 20)))).toBe(true)
  })
})

describe('the parse worker with a kept buffer', () => {
  const sandbox = new ParseSandbox(DEFAULT_LIMITS, true)
  afterAll(() => sandbox.dispose())

  it('refuses a cut-short .pth read right after the whole one, and reads the whole one again', async () => {
    const weights = Float32Array.from({ length: 1 << 18 }, (_, i) => Math.sin(i))
    const whole = file(
      'whole.pth',
      Buffer.concat([
        ...encodePth(
          new PyDict(new Map([['big', new Tensor('float32', [weights.length], weights)]]), 'OrderedDict'),
          'whole',
        ),
      ]),
    )
    const cut = join(dir, 'cut.pth')
    copyFileSync(whole, cut)
    truncateSync(cut, Math.floor(readFileSync(whole).length / 2))
    const open = (path: string) => sandbox.run({ kind: 'checkpoint', path, activations: [], values: true })
    expect((await open(whole)).info.tensors[0].values?.slice(0, 3)).toEqual([...weights.slice(0, 3)])
    // the whole file's directory still sits in the kept memory past the cut: it must not be seen
    await expect(open(cut)).rejects.toMatchObject({
      info: { code: 'CHECKPOINT_INVALID', message: expect.stringMatching(/directory at the end is missing/) },
    })
    const again = await open(whole)
    expect(again.info.tensors[0]).toMatchObject({ key: 'big', shape: [weights.length] })
  }, 120_000)
})
