/**
 * Saves to one path in one process never mix: each goes to its own temporary file and they
 * land one after another, so the file is exactly one caller's bytes. Stale temporary files of
 * ours are removed by the next save; a live writer's and anyone else's files are left alone.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { saveRunFile, type RunToSave } from '../../src/main/lab/checkpoint/files'
import { atomicWrite, tempNameFor, writerOf } from '../../src/main/lab/files/atomicWrite'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

function run(value: number, layers: number): RunToSave {
  const side = 300
  return {
    weights: Array.from({ length: layers }, (_, i) => [
      { name: `${2 * i}.weight`, shape: [side, side], data: new Float32Array(side * side).fill(value + i) },
      { name: `${2 * i}.bias`, shape: [side], data: new Float32Array(side).fill(value + i) },
    ]).flat(),
    optimizer: { name: 'SGD', lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
    epoch: value,
    loss: null,
    meta: undefined as never,
  }
}

describe('saves to one path', () => {
  it('in flight together leave exactly the last caller’s file, which PyTorch loads', async () => {
    const dir = tempDir('torchlab-concurrent-')
    const path = join(dir, 'model.pth')
    const runs = Array.from({ length: 8 }, (_, k) => run(10 * (k + 1), 6))
    // each run saved alone under the same file name (the name is inside the archive), for comparison
    const alone = await Promise.all(runs.map(async (r) => {
      const own = join(tempDir('torchlab-alone-'), 'model.pth')
      await saveRunFile(own, 'state_dict', r)
      return readFileSync(own)
    }))

    const results = await Promise.allSettled(runs.map((r) => saveRunFile(path, 'state_dict', r)))
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
    const final = readFileSync(path)
    expect(alone.findIndex((bytes) => bytes.equals(final))).toBe(runs.length - 1)
    expect(readdirSync(dir).filter((n) => writerOf(n) !== undefined)).toEqual([])

    const loaded = await python<Record<string, number>>(`
import torch
sd = torch.load(INPUT, weights_only=True)
print(json.dumps({k: float(v.flatten()[0]) for k, v in sd.items()}))`, path)
    expect(loaded).toEqual(Object.fromEntries(runs.at(-1)!.weights.map((t) => [t.name, t.data[0]])))
  })

  it('from the service, for two finished runs, keep one run whole', async () => {
    const service = createService()
    const dir = tempDir('torchlab-concurrent-service-')
    const path = join(dir, 'model.pth')
    const start = (lr: number) =>
      service.startTraining({
        dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
        model: { kind: 'mlp', hidden: [{ units: 64, activation: 'ReLU' }] },
        train: { optimizer: { name: 'SGD', lr }, epochs: 3, batchSize: 4 },
      })
    const ids = [(await start(0.001)).runId, (await start(0.002)).runId]
    await Promise.all(ids.map((id) => service.waitForRun(id)))
    const alone = await Promise.all(ids.map(async (runId) => {
      const own = join(tempDir('torchlab-alone-'), 'model.pth')
      await service.saveRun({ runId, path: own, kind: 'checkpoint' })
      return readFileSync(own)
    }))
    expect(alone[0].equals(alone[1])).toBe(false)
    for (let round = 0; round < 5; round++) {
      await Promise.all(ids.map((runId) => service.saveRun({ runId, path, kind: 'checkpoint' })))
      expect(alone.some((bytes) => bytes.equals(readFileSync(path)))).toBe(true)
    }
    service.dispose()
  })
})

describe('stale temporary files', () => {
  const sleeper = spawn('sleep', ['60'])
  afterAll(() => {
    sleeper.kill()
  })

  it('are removed on the next save when their writer is gone; live writers and other files are left alone', async () => {
    const dir = tempDir('torchlab-stale-')
    const path = join(dir, 'model.pth')
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString()
    const deadWriters = [tempNameFor(path, Number(dead)), tempNameFor(join(dir, 'other.pth'), Number(dead))]
    // left by an earlier process that happened to have this process's pid
    const ownPidLeftover = tempNameFor(path)
    const liveWriter = tempNameFor(path, sleeper.pid!)
    const abandonedLive = tempNameFor(join(dir, 'old.pth'), sleeper.pid!)
    const notOurs = [join(dir, '.model.pth.tmp'), join(dir, '.model.pth.123.abc.torchlab-tmp'), join(dir, 'notes.txt')]
    for (const file of [...deadWriters, ownPidLeftover, liveWriter, abandonedLive, ...notOurs]) writeFileSync(file, 'partial')
    const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000
    utimesSync(abandonedLive, twoHoursAgo, twoHoursAgo)

    await atomicWrite(path, new TextEncoder().encode('new'))

    for (const gone of [...deadWriters, ownPidLeftover, abandonedLive]) expect(existsSync(gone), gone).toBe(false)
    for (const kept of [liveWriter, ...notOurs]) expect(existsSync(kept), kept).toBe(true)
    expect(readFileSync(path, 'utf8')).toBe('new')
  })

  it('never fail a save, and a failed save leaves the old file and no temporary file', async () => {
    const dir = tempDir('torchlab-fail-')
    const path = join(dir, 'model.pth')
    await atomicWrite(path, new TextEncoder().encode('old'))
    const err = await atomicWrite(join(dir, 'missing-folder', 'model.pth'), new Uint8Array(1)).catch((e: unknown) => e)
    expect(err).toMatchObject({ info: { code: 'FILE_UNWRITABLE', message: expect.stringMatching(/could not save .*missing-folder.*previous file, if any, is untouched/) } })
    expect(readFileSync(path, 'utf8')).toBe('old')
    expect(readdirSync(dir)).toEqual(['model.pth'])
  })

  it('a save the system refuses says why in words, naming what the student chose and never the temporary file', async () => {
    const dir = tempDir('torchlab-why-')
    writeFileSync(join(dir, 'notes.txt'), 'a file, not a folder')
    const cases = [
      [join(dir, 'missing', 'model.pth'), `the folder ${join(dir, 'missing')} does not exist; choose a folder that does, or create it first`],
      // the tidying of a temporary file under a file failed too, and used to end the save as an internal error
      [join(dir, 'notes.txt', 'model.pth'), `a part of ${join(dir, 'notes.txt')} is a file, not a folder`],
      [dir, `${dir} is a folder; choose a file name inside it`],
    ]
    for (const [path, why] of cases) {
      const err = await atomicWrite(path, new Uint8Array(1)).catch((e: unknown) => e)
      expect(err).toMatchObject({ info: { code: 'FILE_UNWRITABLE', message: `TorchLab could not save ${path}: ${why}. The previous file, if any, is untouched.` } })
    }
    expect(readdirSync(dir)).toEqual(['notes.txt'])
  })
})

describe('a save cut short by the system', () => {
  // a short write used to end as "only 102400 of 1000000 bytes were written", which says nothing of why or what to do
  it('by a file size limit (ulimit -f) says so in words and keeps the previous file whole', () => {
    const dir = tempDir('torchlab-fsize-')
    const path = join(dir, 'model.pth')
    writeFileSync(path, 'old')
    const script = `const { atomicWrite } = await import(${JSON.stringify(join(import.meta.dirname, '../../src/main/lab/files/atomicWrite.ts'))})
const err = await atomicWrite(${JSON.stringify(path)}, new Uint8Array(1_000_000)).catch((e) => e)
process.stdout.write(JSON.stringify(err.info))`
    const child = spawnSync('bash', ['-c', 'ulimit -f 100 && exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' })
    expect(child.status, child.stderr).toBe(0)
    expect(JSON.parse(child.stdout)).toEqual({
      code: 'FILE_UNWRITABLE',
      message: `TorchLab could not save ${path}: the file is larger than this system lets TorchLab write (a file size limit); save a smaller model, or ask whoever set the limit to raise it. The previous file, if any, is untouched.`,
    })
    expect(readFileSync(path, 'utf8')).toBe('old')
    expect(readdirSync(dir)).toEqual(['model.pth'])
  })
})
