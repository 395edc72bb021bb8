/**
 * A lesson file of 600 MB (sparse on disk), as a stray download or a wrong file chosen in the
 * Lessons panel: refused by its size before a byte is read. It was read whole into the main
 * process, then failed as text with Node's own words ("Cannot create a string longer than
 * 0x1fffffe8 characters").
 */
import { closeSync, ftruncateSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createService, tempDir } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())

it('a lesson file larger than a lesson can be is refused by its size, unread', async () => {
  const path = join(tempDir('torchlab-large-lesson-'), 'lesson.json')
  const fd = openSync(path, 'w')
  ftruncateSync(fd, 600 * 2 ** 20)
  closeSync(fd)
  await expect(service.loadLessonFile(path)).rejects.toMatchObject({
    info: { code: 'FILE_UNREADABLE', message: `${path} is 629.1 MB, larger than the 1 MB TorchLab reads as a lesson file.` },
  })
})
