/** The search as skorch + GridSearchCV code, run in Debian's real skorch. */
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { searchConfigFromArgv } from '../../src/main/cli/searchArgs'
import { createService, ROOT, tempDir } from '../helpers/lab'
import { PYTHON } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const run = promisify(execFile)

/** runs a script and reads its last line: `print(gs.best_score_, gs.best_params_)` */
async function runScript(path: string): Promise<{ score: number; params: Record<string, unknown> }> {
  const { stdout } = await run(PYTHON, [path], { env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' }, maxBuffer: 16 * 1024 * 1024 })
  const last = stdout.trim().split('\n').at(-1)!
  const match = /^(\S+) (\{.*\})$/.exec(last)
  expect(match, last).not.toBeNull()
  const params = JSON.parse(match![2].replace(/'/g, '"').replace(/<class "([^"]+)">/g, '"$1"').replace(/\(([^()]*)\)/g, (_, inner: string) => `[${inner.replace(/,\s*$/, '')}]`)) as Record<string, unknown>
  return { score: Number(match![1]), params }
}

describe('lab search --export-py', () => {
  it('writes the course grid as skorch code that picks the same best setting as TorchLab (lr 0.05, 500 epochs)', async () => {
    const argv = ['--grid', 'lr=0.02,0.05,0.08', '--grid', 'epochs=10,200,500']
    const path = join(tempDir(), 'search.py')
    const { stdout } = await run('npx', ['tsx', 'src/main/cli.ts', 'search', ...argv, '--export-py', path], { cwd: ROOT })
    expect(stdout).toMatch(/wrote .*search\.py/)
    const script = readFileSync(path, 'utf8')
    expect(script).toMatch(/GridSearchCV\(model, params, cv=3, scoring="r2"/)
    expect(script).toMatch(/batch_size=128,/)
    expect(script).toMatch(/parallel_backend\("dask"\)/)
    expect(script.trim().split('\n').at(-1)).toBe('print(gs.best_score_, gs.best_params_)')

    const { searchId } = await service.startSearch(searchConfigFromArgv(argv).config)
    const ours = await service.waitForSearch(searchId)
    const skorch = await runScript(path)
    expect(ours.bestParams).toEqual({ lr: 0.05, epochs: 500 })
    expect(skorch.params).toEqual({ lr: ours.bestParams!.lr, max_epochs: ours.bestParams!.epochs })
    expect(Math.abs(skorch.score - ours.bestScore!)).toBeLessThan(0.05)
  }, 600_000)

  it('a classifier with scaling and a searched hidden size becomes a Pipeline that skorch runs', async () => {
    const argv = ['--data', 'iris', '--model', 'mlp', '--hidden', '8', '--activation', 'tanh', '--scale', 'standard', '--optimizer', 'adam', '--lr', '0.05', '--epochs', '5', '--grid', 'hidden=4,8x8', '--cv', '2']
    const path = join(tempDir(), 'iris.py')
    await service.exportSearchPython({ config: searchConfigFromArgv(argv).config, path })
    const script = readFileSync(path, 'utf8')
    expect(script).toMatch(/NeuralNetClassifier/)
    expect(script).toMatch(/"net__module__hidden": \[\(4,\), \(8, 8,\)\]/)
    const { params } = await runScript(path)
    expect(Object.keys(params)).toEqual(['net__module__hidden'])
  }, 300_000)

  it('reads a file whose header pandas renames (a blank name, a repeated one) in its own encoding, as TorchLab read it', async () => {
    const dir = tempDir()
    const csvPath = join(dir, 'masses.csv')
    // pandas' to_csv index has a blank name; "masse" twice, the second is the feature; a cp1252 û in the target's name
    const lines = [',masse,masse,coût', ...Array.from({ length: 30 }, (_, i) => `${i},${(i * 7) % 5},${(i / 10).toFixed(1)},${(3 * (i / 10) + 2).toFixed(2)}`)]
    writeFileSync(csvPath, Buffer.from(lines.join('\n') + '\n', 'latin1'))
    const config = {
      dataset: { source: { kind: 'file' as const, path: csvPath }, parse: { encoding: 'windows-1252' as const }, features: ['masse.1'], target: 'coût' },
      model: { kind: 'linear' as const },
      train: { optimizer: { name: 'SGD' as const, lr: 0.05 }, epochs: 100, batchSize: 4 },
      grid: { lr: [0.02, 0.1] },
      cv: 3,
    }
    const path = join(dir, 'masses.py')
    await service.exportSearchPython({ config, path })
    const { searchId } = await service.startSearch(config)
    const ours = await service.waitForSearch(searchId)
    const skorch = await runScript(path)
    expect(skorch.params).toEqual({ lr: ours.bestParams!.lr })
    expect(Math.abs(skorch.score - ours.bestScore!)).toBeLessThan(0.01)
  }, 300_000)

  it('refuses a search it cannot write, with a message', async () => {
    const argv = ['--x', 'weight', '--grid', 'lr=0.1']
    await expect(service.exportSearchPython({ config: searchConfigFromArgv(argv).config, path: join(tempDir(), 'x.py') })).rejects.toThrow(/"weight" is not in this file/)
  })
})
