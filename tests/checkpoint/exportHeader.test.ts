/**
 * `lab export-py` of a run on a CSV whose header repeats a name and leaves one blank: TorchLab
 * names the columns as pandas.read_csv does (x, x.1, "Unnamed: 2"), and the exported script must
 * read the same columns by those names. It mapped each name to its last column and had no
 * column for a blank name, so it trained on other numbers than the run (or stopped with a
 * KeyError). Checked by running the script in real PyTorch.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, expect, it } from 'vitest'
import { expectStateDictClose } from '../helpers/compare'
import { createService, tempDir } from '../helpers/lab'
import { python, PYTHON } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-export-header-')
const run = promisify(execFile)

it('the script reads the columns a repeated and a blank header name stand for, and trains to the run’s weights', async () => {
  const csv = join(dir, 'repeated.csv')
  const rows = Array.from({ length: 16 }, (_, i) => [i / 4, 10 - i, (i % 5) / 2, 1 + i / 2 - (i % 3) / 4])
  writeFileSync(csv, `x,x,,y\n${rows.map((r) => r.join(',')).join('\n')}\n`)
  const { runId } = await service.startTraining({
    dataset: { source: { kind: 'file', path: csv }, features: ['x.1', 'Unnamed: 2'], target: 'y' },
    model: { kind: 'linear' },
    train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 5, batchSize: 4, seed: 1 },
  })
  const summary = await service.waitForRun(runId)
  expect(summary.status, summary.error?.message).toBe('completed')
  const pth = join(dir, 'repeated.pth')
  await service.saveRun({ runId, path: pth, kind: 'checkpoint' })
  const script = join(dir, 'repeated.py')
  await service.exportPython({ checkpoint: pth, out: script })
  const out = join(dir, 'repeated.torch.pth')
  const { stdout } = await run(PYTHON, [script, '--out', out], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
  expect(stdout).toContain('16 training rows')
  const weights = await python<Record<string, unknown>>(`import torch\nprint(json.dumps({k: v.tolist() for k, v in torch.load(INPUT, weights_only=True).items()}))`, out)
  expectStateDictClose(summary.stateDict, weights)
})
