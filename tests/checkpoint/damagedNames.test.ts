/**
 * A damaged GLOBAL: a flipped byte in a name, or a name whose newline was lost so that it runs on
 * into the binary bytes after it. Python decodes GLOBAL names as UTF-8 and torch.load refuses
 * both; TorchLab refused them as code it would not run, repeating the file's raw bytes (NUL,
 * control characters) in the sentence. Now each is a damaged file, in words.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-damaged-names-')
const files = { flipped: join(dir, 'flipped.pth'), runOn: join(dir, 'run-on.pth'), intact: join(dir, 'intact.pth') }

const BUILD = `
import pickle as P, struct, zipfile, torch
def write_zip(path, pkl):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pkl); z.writestr("archive/version", "3\\n")
def od(module):
    return P.PROTO + b"\\x02" + P.GLOBAL + module + b"\\nOrderedDict\\n" + P.EMPTY_TUPLE + P.REDUCE + P.STOP
write_zip(INPUT["flipped"], od(b"collec\\x8bions"))
write_zip(INPUT["runOn"], od(b"collections\\x03q\\x00(X\\x07\\x00\\x00\\x00storage"))
write_zip(INPUT["intact"], od(b"collections"))
refused = {}
for name in ("flipped", "runOn"):
    try:
        torch.load(INPUT[name], weights_only=True)
        refused[name] = False
    except Exception:
        refused[name] = True
torch.load(INPUT["intact"], weights_only=True)
print(json.dumps(refused))
`

describe('a damaged name in the pickle', () => {
  let torchRefused: Record<string, boolean>
  beforeAll(async () => {
    torchRefused = await python(BUILD, files)
  })

  it('torch refuses both files (so nothing here is a file torch reads)', () => {
    expect(torchRefused).toEqual({ flipped: true, runOn: true })
  })

  it.each([
    ['flipped', /not valid UTF-8/],
    ['runOn', /a name it refers to holds unprintable characters/],
  ] as const)('%s: refused as a damaged file, no raw bytes in the sentence', async (name, message) => {
    const error = await service.openCheckpoint(files[name]).then(
      () => undefined,
      (err: { info: { code: string; message: string } }) => err.info,
    )
    expect(error).toMatchObject({ code: 'CHECKPOINT_INVALID', message: expect.stringMatching(message) })
    expect(error!.message).not.toMatch(/\p{Cc}/u)
  })

  it('the intact name reads', async () => {
    expect((await service.openCheckpoint(files.intact)).kind).toBe('collection')
  })
})
