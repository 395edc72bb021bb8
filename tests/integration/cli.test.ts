/** The `lab` CLI as a student runs it: real process, real files, JSON out. */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../helpers/lab'

const settingsDir = tempDir('torchlab-cli-settings-')

interface CliResult {
  code: number
  json: Record<string, unknown>
  stderr: string
}

function lab(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, TORCHLAB_CONFIG_DIR: settingsDir }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0
        let json: Record<string, unknown> = {}
        try {
          json = JSON.parse(stdout)
        } catch {
          json = { raw: stdout }
        }
        resolve({ code, json, stderr })
      },
    )
  })
}

const dir = tempDir('torchlab-cli-')
function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('lab train', () => {
  it('with no options runs the course lecture and prints the JSON report', async () => {
    const { code, json } = await lab(['train', '--json'])
    expect(code).toBe(0)
    // Linear(1, 1) is too small for a kernel call to pay: all of it runs as plain JavaScript
    expect(json).toMatchObject({ status: 'completed', engine: 'dense', backend: 'js', epochs: 1000, steps: 16000 })
    expect(json.seconds).toBeGreaterThan(0)
    expect(json.loss_history).toHaveLength(1000)
    const sd = json.state_dict as Record<string, number[][] | number[]>
    expect((sd['linear.weight'] as number[][])[0][0]).toBeCloseTo(-5.7225, 3)
    expect((sd['linear.bias'] as number[])[0]).toBeCloseTo(36.6935, 3)
    expect(json.ols).toMatchObject({ coef: [expect.closeTo(-5.344472, 5)], intercept: expect.closeTo(37.285126, 5) })
    expect((json.metrics as { r2: number }).r2).toBeGreaterThan(0.6)
    expect(json.final_loss).toBe((json.loss_history as number[]).at(-1))
  })

  it('runs the same lecture on tfjs when asked, to the same weights', async () => {
    const { code, json } = await lab(['train', '--engine', 'tfjs', '--json'])
    expect(code).toBe(0)
    expect(json.engine).toBe('tfjs')
    expect(['wasm', 'cpu', 'tensorflow']).toContain(json.backend)
    expect((json.state_dict as Record<string, number[][]>)['linear.weight'][0][0]).toBeCloseTo(-5.7225, 3)
  })

  it('starts from --init weights and reports validation metrics', async () => {
    const init = file('init.json', JSON.stringify({ 'linear.weight': [[-5]], 'linear.bias': [37] }))
    const { code, json } = await lab(['train', '--init', init, '--epochs', '1', '--val-split', '0.25', '--lr', '0.001', '--json'])
    expect(code).toBe(0)
    expect((json.state_dict as Record<string, number[][]>)['linear.weight'][0][0]).toBeCloseTo(-5, 0)
    expect(json.val_metrics).toMatchObject({ r2: expect.any(Number) })
  })

  it('trains an MLP classifier on iris', async () => {
    const { code, json } = await lab([
      'train', '--data', 'iris', '--model', 'mlp', '--hidden', '16', '--optimizer', 'adam', '--lr', '0.05',
      '--epochs', '60', '--batch-size', '16', '--scale', 'standard', '--shuffle', '--json',
    ])
    expect(code).toBe(0)
    expect((json.metrics as { accuracy: number }).accuracy).toBeGreaterThan(0.9)
  })

  it('ends a run with lr 10 as diverged, with finite weights and no crash', async () => {
    const { code, json } = await lab(['train', '--lr', '10', '--json'])
    expect(code).toBe(3)
    expect(json.status).toBe('diverged')
    expect(json.divergence).toMatchObject({ epoch: 1, message: expect.stringMatching(/smaller learning rate/) })
    const values = Object.values(json.state_dict as Record<string, unknown>).flat(3) as number[]
    values.forEach((v) => expect(Number.isFinite(v)).toBe(true))
  })

  const bad: [string, () => string[], string, RegExp][] = [
    ['a missing file', () => ['--data', join(dir, 'nope.csv'), '--x', 'wt', '--y', 'mpg'], 'FILE_NOT_FOUND', /no file at/],
    ['an empty file', () => ['--data', file('empty.csv', ''), '--x', 'wt', '--y', 'mpg'], 'CSV_EMPTY', /empty/],
    ['a header only', () => ['--data', file('header.csv', 'wt,mpg\n'), '--x', 'wt', '--y', 'mpg'], 'CSV_NO_ROWS', /no data rows/],
    ['ragged rows', () => ['--data', file('ragged.csv', 'wt,mpg\n1,2\n3\n'), '--x', 'wt', '--y', 'mpg'], 'CSV_RAGGED_ROW', /Line 3 has 1 value/],
    ['a non-numeric value', () => ['--data', file('bad.csv', 'wt,mpg\n1,2\n2,3\n3,x\n'), '--x', 'wt', '--y', 'mpg'], 'COLUMN_NOT_NUMERIC', /"x" on line 4/],
    ['a file without --x', () => ['--data', file('plain.csv', 'a,b\n1,2\n')], 'NO_FEATURES', /--x/],
    ['a missing target column', () => ['--y', 'price'], 'COLUMN_NOT_FOUND', /"price" is not in this file/],
    ['batch size 0', () => ['--batch-size', '0'], 'INVALID_ARGUMENT', /Batch size must be at least 1/],
    ['a negative lr', () => ['--lr', '-0.1'], 'INVALID_ARGUMENT', /Learning rate must be at least 0/],
    ['epochs 0', () => ['--epochs', '0'], 'INVALID_ARGUMENT', /Epochs must be at least 1/],
    ['an unknown activation', () => ['--model', 'mlp', '--activation', 'swishy'], 'INVALID_ARGUMENT', /Unknown --activation "swishy"/],
    ['a word for a number', () => ['--lr', 'fast'], 'INVALID_ARGUMENT', /--lr must be a number/],
    ['an unknown option', () => ['--learning-rate', '1'], 'INVALID_ARGUMENT', /learning-rate/],
    ['an unknown engine', () => ['--engine', 'gpu'], 'INVALID_ARGUMENT', /Unknown --engine "gpu"/],
    [
      'init weights of the wrong shape',
      () => ['--init', file('w.json', JSON.stringify({ 'linear.weight': [[1, 2]], 'linear.bias': [0] }))],
      'WEIGHTS_MISMATCH',
      /size mismatch for linear.weight/,
    ],
  ]
  for (const [what, args, code, message] of bad) {
    it(`refuses ${what} with a clear typed error`, async () => {
      const result = await lab(['train', ...args(), '--json'])
      expect(result.code).toBe(2)
      expect(result.json.error).toMatchObject({ code, message: expect.stringMatching(message) })
      expect(result.stderr).not.toMatch(/at .*\.ts:\d+/)
    })
  }
})

describe('lab inspect and lab export-py', () => {
  const fixtures = join(ROOT, '..', 'shared', 'fixtures', 'pth')

  it('prints what a PyTorch file holds, like printing model.state_dict()', async () => {
    const result = await lab(['inspect', join(fixtures, 'mlp_sequential_state_dict.pth'), '--json'])
    expect(result.code).toBe(0)
    expect(result.json).toMatchObject({ kind: 'state_dict', format: 'zip', model: { kind: 'sequential', inFeatures: 10, outFeatures: 1 } })
    expect((result.json.tensors as { key: string; shape: number[] }[]).map((t) => [t.key, t.shape])).toEqual([
      ['0.weight', [16, 10]], ['0.bias', [16]], ['2.weight', [16, 16]], ['2.bias', [16]], ['4.weight', [1, 16]], ['4.bias', [1]],
    ])
  })

  it('refuses the malicious fixture by name, and a missing file, with typed errors', async () => {
    const evil = await lab(['inspect', join(fixtures, 'malicious_os_system.pth'), '--json'])
    expect(evil.code).toBe(2)
    expect(evil.json.error).toMatchObject({ code: 'CHECKPOINT_UNSAFE', message: expect.stringMatching(/posix\.system/) })
    const missing = await lab(['inspect', join(dir, 'nope.pth'), '--json'])
    expect(missing.json.error).toMatchObject({ code: 'FILE_NOT_FOUND' })
    const csvAsPth = await lab(['inspect', join(ROOT, 'resources/datasets/cars.csv'), '--json'])
    expect(csvAsPth.json.error).toMatchObject({ code: 'CHECKPOINT_INVALID', message: expect.stringMatching(/not a PyTorch/) })
  })

  it('exports the PyTorch script of a fixture', async () => {
    const out = join(dir, 'lin.py')
    const result = await lab(['export-py', join(fixtures, 'lin_state_dict.pth'), '--out', out, '--json'])
    expect(result.code).toBe(0)
    expect(result.json).toEqual({ path: out })
  })
})

describe('lab search', () => {
  it('prints best_params, best_score and cv_results as JSON, and writes the CSV', async () => {
    const csvPath = join(dir, 'search.csv')
    const { code, json } = await lab(['search', '--grid', 'lr=0.02,0.05', '--grid', 'epochs=10,50', '--cv', '3', '--csv', csvPath, '--json'])
    expect(code).toBe(0)
    expect(json).toMatchObject({ status: 'completed', scoring: 'r2', best_params: { lr: 0.05, epochs: 50 } })
    const rows = json.cv_results as Record<string, unknown>[]
    expect(rows).toHaveLength(4)
    expect(rows[0]).toMatchObject({ params: { lr: 0.02, epochs: 10 }, split0_test_score: expect.any(Number), rank_test_score: expect.any(Number), mean_fit_time: expect.any(Number) })
  })

  it('cross-validates a classifier with stratified folds and accuracy, and refuses a bad --grid', async () => {
    const { code, json } = await lab(['search', '--data', 'iris', '--model', 'mlp', '--hidden', '8', '--optimizer', 'adam', '--scale', 'standard', '--epochs', '30', '--batch-size', '16', '--grid', 'lr=0.01,0.05', '--cv', '3', '--json'])
    expect(code).toBe(0)
    expect(json.scoring).toBe('accuracy')
    expect(json.best_score).toBeGreaterThan(0.8)
    const bad = await lab(['search', '--grid', 'speed=1,2', '--json'])
    expect(bad.code).toBe(2)
    expect(bad.json.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/--grid takes NAME=v1,v2/) })
  })
})
