/**
 * Files that are not .pth files at all, opened as one through the service (the Files panel's
 * path): an empty file and a CSV renamed .pth are each refused with what they are, and torch
 * refuses both too. A binary file of neither format keeps the general sentence.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-not-pth-')
const files = {
  empty: join(dir, 'empty.pth'),
  csv: join(dir, 'cars.pth'),
  binary: join(dir, 'noise.pth'),
}
writeFileSync(files.empty, '')
writeFileSync(files.csv, 'model,mpg,wt\nMazda RX4,21,2.62\n')
writeFileSync(files.binary, Uint8Array.of(7, 0, 255, 3, 9, 0, 0, 1))

describe('a file that is not a .pth file', () => {
  it('torch refuses each of them', async () => {
    const refused = await python<boolean[]>(
      `import torch
out = []
for path in INPUT:
    try:
        torch.load(path)
        out.append(False)
    except Exception:
        out.append(True)
print(json.dumps(out))`,
      Object.values(files),
    )
    expect(refused).toEqual([true, true, true])
  })

  it('is refused with what it is: empty, a text file with its first line, or neither format', async () => {
    const sentence = (path: string) => service.openCheckpoint(path, {}).then(() => 'opened', (err: { info: { message: string } }) => err.info.message)
    expect(await sentence(files.empty)).toBe('The file is empty (0 bytes): nothing was saved in it. Save the model again, and open that file.')
    expect(await sentence(files.csv)).toBe(
      'This is a text file, not a PyTorch .pth file: it starts "model,mpg,wt". A CSV is opened as data (the Data panel, or the lab command\'s --data), not as weights.',
    )
    expect(await sentence(files.binary)).toBe("This is not a PyTorch .pth file: it is neither torch's zip format nor its legacy format.")
  })
})
