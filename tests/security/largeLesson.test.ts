/**
 * A lesson file of 600 MB (sparse on disk), as a stray download or a wrong file chosen in the
 * Lessons panel, and a JSON weights file for `lab train --init` past the longest string: refused
 * by their size before a byte is read. They were read whole (the lesson into the main process),
 * then failed as text in Node's own words ("Cannot create a string longer than 0x1fffffe8
 * characters").
 */
import { closeSync, ftruncateSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { readTextFile } from '../../src/main/lab/files/openForReading'
import { createService, tempDir } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())

function sparse(name: string): string {
  const path = join(tempDir('torchlab-large-text-'), name)
  const fd = openSync(path, 'w')
  ftruncateSync(fd, 600 * 2 ** 20)
  closeSync(fd)
  return path
}

it('a lesson file larger than a lesson can be is refused by its size, unread', async () => {
  const path = sparse('lesson.json')
  await expect(service.loadLessonFile(path)).rejects.toMatchObject({
    info: { code: 'FILE_UNREADABLE', message: `${path} is 629.1 MB, larger than the 1 MB TorchLab reads as a lesson file.` },
  })
})

it('a JSON weights file longer than a string can be is refused by its size, unread', async () => {
  const path = sparse('weights.json')
  await expect(readTextFile(path, { missing: 'weights file', kind: 'a JSON weights file' })).rejects.toMatchObject({
    info: { code: 'FILE_UNREADABLE', message: `${path} is 629.1 MB, larger than the 536.9 MB TorchLab reads as a JSON weights file.` },
  })
})
