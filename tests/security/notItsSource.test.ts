/**
 * A write never replaces the file it is made from. `lab export-py model.pth --out model.pth`
 * turned the student's checkpoint into a Python script (and an export beside a checkpoint named
 * model.weights.pth wrote the bare weights over it); predictions written to the CSV they were
 * made from took the data with them, and so did a skorch script, a search's results or a run
 * saved there. Each is refused in a sentence naming both files, before anything is written,
 * also through a symbolic link; the file is left byte for byte as it was.
 */
import { copyFileSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, DATASETS, tempDir } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-own-source-')
const csv = join(dir, 'cars.csv')
const pth = join(dir, 'model.pth')
const dataset = { source: { kind: 'file' as const, path: csv }, features: ['wt'], target: 'mpg' }

beforeAll(async () => {
  copyFileSync(join(DATASETS, 'cars.csv'), csv)
  const { runId } = await service.startTraining({ dataset, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 2, batchSize: 4 } })
  await service.waitForRun(runId)
  await service.saveRun({ runId, path: pth, kind: 'checkpoint' })
})

/** expects `write` to be refused naming `target` and `source`, with `source` unchanged */
async function refusedOver(write: () => Promise<unknown>, target: string, source: string) {
  const before = readFileSync(source)
  const refused = write()
  await expect(refused).rejects.toMatchObject({ info: { code: 'FILE_UNWRITABLE' } })
  await expect(refused).rejects.toThrow(`TorchLab will not write the`)
  await expect(refused).rejects.toThrow(`to ${target}: that is ${source}, which`)
  expect(readFileSync(source).equals(before)).toBe(true)
}

describe('a write onto the file it is made from', () => {
  it('export-py onto its own checkpoint, directly or through a link', async () => {
    await refusedOver(() => service.exportPython({ checkpoint: pth, out: pth }), pth, pth)
    const link = join(dir, 'link.py')
    symlinkSync(pth, link)
    await refusedOver(() => service.exportPython({ checkpoint: pth, out: link }), link, pth)
  })

  it("export-py whose weights, written beside the script, would land on the checkpoint", async () => {
    const named = join(dir, 'run.weights.pth')
    copyFileSync(pth, named)
    await refusedOver(() => service.exportPython({ checkpoint: named, out: join(dir, 'run.py') }), named, named)
  })

  it('predictions onto the CSV they read, or onto the model', async () => {
    const request = { path: pth, data: dataset.source, features: ['wt'] }
    await refusedOver(() => service.predict({ ...request, out: csv }), csv, csv)
    await refusedOver(() => service.predict({ ...request, out: pth }), pth, pth)
  })

  it('a skorch script onto the CSV it searches', async () => {
    const config = { dataset, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs: 2, batchSize: 4 }, grid: { lr: [0.01, 0.02] }, cv: 2 }
    await refusedOver(() => service.exportSearchPython({ config, path: csv }), csv, csv)
  })

  it('a run saved onto the CSV it trained on', async () => {
    const { runId } = await service.startTraining({ dataset, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 2, batchSize: 4 } })
    await service.waitForRun(runId)
    await refusedOver(() => service.saveRun({ runId, path: csv, kind: 'checkpoint' }), csv, csv)
  })

  it("a search's results onto the CSV it searched", async () => {
    const config = { dataset, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs: 2, batchSize: 4 }, grid: { lr: [0.01, 0.02] }, cv: 2 }
    const { searchId } = await service.startSearch(config)
    await service.waitForSearch(searchId)
    await refusedOver(() => service.exportSearchCsv({ searchId, path: csv }), csv, csv)
  })

  it('writes elsewhere as before', async () => {
    const out = join(dir, 'model.py')
    expect((await service.exportPython({ checkpoint: pth, out })).path).toBe(out)
    expect(readFileSync(out, 'utf8')).toContain('weights_only=True')
  })
})
