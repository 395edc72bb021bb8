/**
 * The parse worker's limits, hit for real: a file that needs more heap than the worker has,
 * or more time than its limit, becomes a sentence naming the limit — and the next file gets
 * a fresh worker, so one bad file costs one worker, never the app.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PyDict } from '../../src/main/lab/checkpoint/pickle/values'
import { Tensor } from '../../src/main/lab/checkpoint/tensor'
import { encodePth } from '../../src/main/lab/checkpoint/writePth'
import { DEFAULT_LIMITS, ParseSandbox } from '../../src/main/lab/sandbox/sandbox'
import { tempDir } from '../helpers/lab'
import { parseOptionsSchema } from '../../src/shared/schemas'

const dir = tempDir('torchlab-sandbox-')
const clean = join(dir, 'clean.pth')
writeFileSync(
  clean,
  Buffer.concat([
    ...encodePth(
      new PyDict(new Map([['linear.weight', new Tensor('float32', [1, 1], Float32Array.of(0.5))]]), 'OrderedDict'),
      'clean',
    ),
  ]),
)
const sandboxes: ParseSandbox[] = []
afterAll(() => sandboxes.forEach((s) => s.dispose()))

function sandbox(limits: Partial<typeof DEFAULT_LIMITS>): ParseSandbox {
  const s = new ParseSandbox({ ...DEFAULT_LIMITS, ...limits })
  sandboxes.push(s)
  return s
}

async function readsClean(s: ParseSandbox): Promise<void> {
  const opened = await s.run({ kind: 'checkpoint', path: clean, activations: [], values: true })
  expect(opened.info.tensors).toMatchObject([{ key: 'linear.weight', values: [0.5] }])
}

describe('the parse worker', () => {
  it('replaces a worker that has idled since its last file with a fresh one, which reads the next file', async () => {
    // what a file leaves in a worker (its read buffer, a large CSV's shared columns) goes only with the worker
    const s = sandbox({ idleMs: 200 })
    await readsClean(s)
    expect(s.idleRenewals).toBe(0)
    await new Promise((r) => setTimeout(r, 600))
    expect(s.idleRenewals).toBe(1)
    await readsClean(s)
    // a worker at work is not replaced, however long its file takes; the count moves only after it idles again
    expect(s.idleRenewals).toBe(1)
  }, 60_000)

  it('turns running out of heap into a sentence naming the memory limit, then reads the next file in a fresh worker', async () => {
    const csv = join(dir, 'names.csv')
    // names outside ASCII: the general parser reads them, a string for every cell
    const rows = Array.from({ length: 400_000 }, (_, i) => `né${i}a${(i * 7) % 1000},${i % 97}.5,${i % 13}`)
    writeFileSync(csv, `name,x,y\n${rows.join('\n')}\n`)
    const s = sandbox({ heapMb: 48 })
    await expect(
      s.run({ kind: 'csv', path: csv, encoding: 'utf-8', parse: parseOptionsSchema.parse({}) }),
    ).rejects.toMatchObject({
      info: {
        code: 'FILE_UNREADABLE',
        message: expect.stringMatching(/needed more than 48 MB, the reader's memory limit/),
      },
    })
    await readsClean(s)
  }, 120_000)

  it('turns a file slower than its time limit into a sentence naming the limit, then reads the next file in a fresh worker', async () => {
    // a real state_dict of 2,000,000 float64 values (16 MB): several milliseconds to read, more than the 1 ms it is given
    const slow = join(dir, 'slow.pth')
    const big = Float64Array.from({ length: 2_000_000 }, (_, i) => i / 7)
    writeFileSync(
      slow,
      Buffer.concat([
        ...encodePth(new PyDict(new Map([['big', new Tensor('float64', [big.length], big)]]), 'OrderedDict'), 'slow'),
      ]),
    )
    const s = sandbox({ time: { pth: { baseMs: 1, bytesPerMs: 1e12 }, csv: DEFAULT_LIMITS.time.csv } })
    await readsClean(s).catch(() => undefined) // the worker's start is not the file's time
    await expect(s.run({ kind: 'checkpoint', path: slow, activations: [], values: false })).rejects.toMatchObject({
      info: {
        code: 'CHECKPOINT_UNSAFE',
        message: expect.stringMatching(/took longer than [\d.]+ s, the reader's time limit/),
      },
    })
    await readsClean(sandbox({}))
    // with the real limits the same file reads: the limit, not the file, stopped it
    const relaxed = await sandbox({}).run({ kind: 'checkpoint', path: slow, activations: [], values: false })
    expect(relaxed.info.tensors[0]).toMatchObject({
      key: 'big',
      dtype: 'float64',
      shape: [2_000_000],
      values: [0, 1 / 7, 2 / 7, 3 / 7, 4 / 7, 5 / 7],
    })
  }, 120_000)
})
