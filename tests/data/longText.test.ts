/**
 * A CSV under the 1 GB limit whose text is longer than a JavaScript string can be (512 MB) and
 * that the fast reader does not take (here: zero bytes after its header, as a
 * sparse or damaged file has). Decoded whole, UTF-8 failed as an internal error, and Windows-1252
 * ended the whole process with a fatal V8 error in Node's decoder: the window would be gone.
 * Now it is refused in a sentence, and the lab reads the next file.
 */
import { openSync, closeSync, ftruncateSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LabError } from '../../src/shared/errors'
import { createService, tempDir } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())
const path = join(tempDir('torchlab-long-text-'), 'sparse.csv')
const fd = openSync(path, 'w')
writeSync(fd, 'x,y\n1,2\n')
// sparse: no disk is used for the zeros
ftruncateSync(fd, 513 * 2 ** 20)
closeSync(fd)

describe('a CSV whose text is longer than a string can be', () => {
  it.each(['utf-8', 'windows-1252'] as const)('read as %s is refused in a sentence naming its size, and the lab goes on', async (encoding) => {
    const refusal = await service.inspectCsv({ kind: 'file', path }, { encoding }).then(
      () => null,
      (err: unknown) => err,
    )
    expect(refusal).toBeInstanceOf(LabError)
    expect((refusal as LabError).info).toMatchObject({ code: 'FILE_UNREADABLE', message: expect.stringMatching(/^This CSV is 513 MB, and files over 511 MB TorchLab reads only when they hold cells it can read from their bytes/) })
    expect((await service.inspectCsv({ kind: 'bundled', name: 'cars' }, {})).rowCount).toBe(32)
  })
})
