/**
 * A CSV as Excel writes it with "Save as Unicode Text": UTF-16 LE behind a byte order mark, tabs
 * between cells, CRLF line ends and, in a French locale, decimal commas, saved in a folder whose
 * name has spaces and accents. pandas.read_csv refuses it by default (it reads UTF-8); TorchLab
 * detects every one of these, and the scripts it exports (PyTorch, skorch) must read the file as
 * TorchLab did: they opened it as UTF-8 whatever it was, and stopped at its first byte.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { createService, tempDir } from '../helpers/lab'
import { python, PYTHON } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const run = promisify(execFile)
const folder = join(tempDir('torchlab-excel-'), 'dossier élève', 'séance 3')
mkdirSync(folder, { recursive: true })
const csvPath = join(folder, 'voitures (export Excel).txt')
const FEATURE = 'poids (t)'
const TARGET = 'conso l/100 km'
const rows = Array.from({ length: 24 }, (_, i) => [1.5 + i * 0.125, 4 + 2.5 * (1.5 + i * 0.125) + ((i * 7) % 5) / 10])
const text = [`${FEATURE}\t${TARGET}`, ...rows.map((r) => r.map((v) => String(v).replace('.', ',')).join('\t'))].join('\r\n') + '\r\n'
writeFileSync(csvPath, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))
const dataset = { source: { kind: 'file' as const, path: csvPath }, features: [FEATURE], target: TARGET }

describe("Excel's Unicode Text in a folder with spaces and accents", () => {
  it('pandas refuses it by default; TorchLab reads its encoding, tabs, decimal commas and accented names', async () => {
    const pandas = await python<{ error: string }>(`import pandas as pd\ntry:\n    pd.read_csv(INPUT)\n    print(json.dumps({"error": ""}))\nexcept Exception as e:\n    print(json.dumps({"error": type(e).__name__}))`, csvPath)
    expect(pandas.error).toBe('UnicodeDecodeError')
    const preview = await service.inspectCsv(dataset.source, {})
    expect(preview).toMatchObject({ delimiter: '\t', decimal: ',', header: true, rowCount: 24 })
    expect(preview.columns.map((c) => [c.name, c.kind, c.min])).toEqual([
      [FEATURE, 'numeric', 1.5],
      [TARGET, 'numeric', 7.75],
    ])
  })

  it('the exported PyTorch script reads the file as TorchLab did and ends on its weights', async () => {
    const { runId } = await service.startTraining({ dataset, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 15, batchSize: 4 } })
    expect((await service.waitForRun(runId)).status).toBe('completed')
    const pth = join(folder, 'modèle.pth')
    await service.saveRun({ runId, path: pth, kind: 'checkpoint' })
    const script = join(folder, 'modèle.py')
    await service.exportPython({ checkpoint: pth, out: script })
    const { stdout } = await run(PYTHON, [script, '--out', join(folder, 'torch.pth')], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
    expect(Number(/largest difference from the weights TorchLab saved after 15 epochs: (\S+)/.exec(stdout)?.[1])).toBeLessThan(1e-5)
  }, 120_000)

  it('the exported skorch script reads it too, and picks the setting TorchLab picks', async () => {
    const config = { dataset, model: { kind: 'linear' as const }, train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs: 20, batchSize: 4 }, grid: { lr: [0.0001, 0.02] }, cv: 2 }
    const path = join(folder, 'recherche.py')
    await service.exportSearchPython({ config, path })
    const { searchId } = await service.startSearch(config)
    const ours = await service.waitForSearch(searchId)
    const { stdout } = await run(PYTHON, [path], { env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' }, maxBuffer: 16 * 1024 * 1024 })
    expect(ours.bestParams).toEqual({ lr: 0.02 })
    expect(stdout.trim().split('\n').at(-1)).toMatch(/ \{'lr': 0\.02\}$/)
  }, 300_000)
})
