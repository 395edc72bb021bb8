/**
 * `lab` as a shell and a script use it: Ctrl+C, a closed or full stdout, exit codes, --help on
 * every command, typos answered with "did you mean", options refused rather than ignored, and
 * paths read from where `npm run lab` was typed. Every case runs the real CLI as a child process.
 */
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, closeSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { shownNumber } from '../src/shared/shownNumber'
import { exited, runLab, startLab } from './helpers/cli'
import { ROOT, tempDir } from './helpers/lab'

const fixtures = join(ROOT, '..', 'shared', 'fixtures', 'pth')
const dir = tempDir('torchlab-cli-shell-')
const settings = () => tempDir('torchlab-cli-shell-settings-')

async function until(ready: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!ready()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('Ctrl+C and SIGTERM', () => {
  it.each([
    ['SIGINT', 'Ctrl+C', 130],
    ['SIGTERM', 'SIGTERM', 143],
  ] as const)('%s (%s) stops a run, prints its JSON report, leaves --out as it was and exits %i', async (signal, said, status) => {
    const settingsDir = settings()
    const out = join(dir, `kept model ${signal}.pth`)
    copyFileSync(join(fixtures, 'lin_state_dict.pth'), out)
    const before = readFileSync(out)
    // 32 million steps: far longer than the test waits
    const child = startLab(['train', '--epochs', '1000000', '--batch-size', '1', '--out', out, '--json'], { settingsDir })
    const done = exited(child)
    // the run has started once it is remembered in the settings (which also loads conf, whose exit hook re-sends the signal)
    await until(() => existsSync(join(settingsDir, 'settings.json')), 60_000)
    await new Promise((r) => setTimeout(r, 1000))
    const sent = Date.now()
    child.kill(signal)
    const result = await done
    expect(Date.now() - sent).toBeLessThan(10_000)
    expect(result).toMatchObject({ code: status, signal: null })
    const report = JSON.parse(result.stdout) as { status: string; epochs: number; steps: number; saved: unknown }
    expect(report).toMatchObject({ status: 'stopped', saved: null })
    expect(report.epochs).toBeLessThan(1_000_000)
    // batches of one car: 32 steps an epoch, so the stop is said where it came, as the Evaluate panel says it
    const into = report.steps - report.epochs * 32
    const where = into === 0 ? `after epoch ${report.epochs}` : `at step ${report.steps}, ${into} ${into === 1 ? 'batch' : 'batches'} into epoch ${report.epochs + 1}`
    expect(result.stderr).toContain(`Stopped by ${said} ${where} of 1000000; nothing was saved to ${out}.`)
    expect(readFileSync(out).equals(before)).toBe(true)
  })

  it('SIGTERM cancels a search, prints what it has, writes no --csv of a search cut short and exits 143', async () => {
    const settingsDir = settings()
    const csv = join(dir, 'kept results.csv')
    writeFileSync(csv, 'the results of an earlier search\n')
    // six fits of 200,000 epochs: far longer than the test waits
    const child = startLab(['search', '--grid', 'epochs=200000,200001', '--csv', csv, '--json'], { settingsDir })
    const done = exited(child)
    await until(() => existsSync(join(settingsDir, 'settings.json')), 60_000)
    await new Promise((r) => setTimeout(r, 1000))
    child.kill('SIGTERM')
    const result = await done
    expect(result).toMatchObject({ code: 143, signal: null })
    const report = JSON.parse(result.stdout) as { status: string; cv_results: unknown[]; csv_written: unknown }
    expect(report).toMatchObject({ status: 'cancelled', csv_written: null })
    expect(report.cv_results).toHaveLength(2)
    expect(result.stderr).toMatch(new RegExp(`Stopped by SIGTERM after \\d of 6 fits; nothing was written to ${csv}\\.`))
    expect(readFileSync(csv, 'utf8')).toBe('the results of an earlier search\n')
  })

  it('a second Ctrl+C during the save quits at once, leaving no temporary file and the file whole', async () => {
    const settingsDir = settings()
    const folder = tempDir('torchlab-cli-shell-second-')
    const out = join(folder, 'big.pth')
    copyFileSync(join(fixtures, 'lin_state_dict.pth'), out)
    const before = readFileSync(out)
    // 16 million weights: a 64 MB file, long enough to save that both presses land while it is written
    const child = startLab(['train', '--layers', 'Linear(4000), Linear(4000), Linear(1)', '--epochs', '1', '--lr', '1e-7', '--out', out], { settingsDir })
    const done = exited(child)
    const temporary = () => readdirSync(folder).filter((name) => name !== 'big.pth')
    await until(() => temporary().length > 0, 120_000)
    child.kill('SIGINT')
    await new Promise((r) => setTimeout(r, 100))
    child.kill('SIGINT')
    const result = await done
    expect(result).toMatchObject({ code: 130, signal: null })
    expect(result.stderr).toContain('Ctrl+C: the run has ended; finishing its report and the save of')
    expect(result.stderr).toMatch(/Ctrl\+C again: quitting now\. (The save of .*big\.pth was cut short|.*big\.pth is saved whole)/)
    expect(temporary()).toEqual([])
    const after = readFileSync(out)
    // the old file, or the new one whole (a 64 MB zip ends with its central directory's end record)
    if (!after.equals(before)) expect([after.length > 64_000_000, after.subarray(-22, -18).toString('hex')]).toEqual([true, '504b0506'])
  }, 180_000)
})

describe('output that cannot be written', () => {
  it('a reader that goes away (| head -1) ends the command quietly, with 141', async () => {
    const child = startLab(['step', '--steps', '1000'], { settingsDir: settings() })
    const done = exited(child)
    child.stdout!.once('data', () => child.stdout!.destroy())
    const result = await done
    expect(result.code).toBe(141)
    expect(result.stderr).toBe('')
  })

  it('a full disk behind > file is one sentence on stderr and status 1', async () => {
    const full = openSync('/dev/full', 'w')
    try {
      const result = await runLab(['inspect', join(fixtures, 'lin_state_dict.pth')], { settingsDir: settings(), stdout: full })
      expect(result.code).toBe(1)
      expect(result.stderr).toBe('error: the output could not be written (ENOSPC: no space left on device, write), so what was printed is incomplete.\n')
    } finally {
      closeSync(full)
    }
  })
})

describe('help, typos and exit codes', () => {
  it("every command's --help (and lab help COMMAND) ends with what its exit status means", async () => {
    const settingsDir = settings()
    const commands = ['train', 'search', 'inspect', 'export-py', 'predict', 'step', 'graph', 'lessons', 'lesson']
    const [helps, viaHelp] = await Promise.all([
      Promise.all(commands.map((command) => runLab([command, '--help'], { settingsDir }))),
      Promise.all(['train', 'inspect'].map((command) => runLab(['help', command], { settingsDir }))),
    ])
    helps.forEach((result, i) => {
      expect([commands[i], result.code, result.stderr]).toEqual([commands[i], 0, ''])
      expect(result.stdout).toContain(`lab ${commands[i]}`)
      expect(result.stdout).toMatch(/\nExit status: 0 done, 1 failed .*, 2 refused .*\n3 diverged, 130 stopped by Ctrl\+C, 143 stopped by SIGTERM .*\n141 its output was closed .*\n$/)
    })
    expect(viaHelp).toEqual([helps[0], helps[2]])
  })

  it('no command prints the usage on stderr and fails; a typo is refused with the command meant, in JSON when asked', async () => {
    const settingsDir = settings()
    const [none, typo, option, value] = await Promise.all([[], ['trian', '--json'], ['train', '--optimiser', 'adam', '--json'], ['train', '--epochs']].map((args) => runLab(args, { settingsDir })))
    expect([none.code, none.stdout]).toEqual([2, ''])
    expect(none.stderr).toContain('lab train')
    expect(typo.code).toBe(2)
    expect(JSON.parse(typo.stdout).error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('did you mean "lab train"?') })
    expect(option.code).toBe(2)
    expect(JSON.parse(option.stdout).error.message).toBe('lab train has no option --optimiser; did you mean --optimizer? Run "lab train --help" for the options.')
    expect([value.code, value.stdout, value.stderr]).toEqual([2, '', 'error: --epochs needs a value after it. Run "lab train --help" for the options.\n'])
  })

  it('refuses the options a command would have ignored', async () => {
    const settingsDir = settings()
    const [search, split, backend, hidden, checkpoint] = await Promise.all(
      [
        ['search', '--grid', 'lr=0.02', '--out', join(dir, 'best.pth')],
        ['search', '--grid', 'lr=0.02', '--val-split', '0.2'],
        ['train', '--backend', 'cpu'],
        ['train', '--hidden', '32'],
        ['train', '--checkpoint'],
      ].map((args) => runLab([...args, '--json'], { settingsDir })),
    )
    for (const refused of [search, split, backend, hidden, checkpoint]) expect(refused.code).toBe(2)
    expect(JSON.parse(search.stdout).error.message).toMatch(/^lab search has no option --out\./)
    expect(JSON.parse(split.stdout).error.message).toMatch(/^lab search has no option --val-split\./)
    expect(JSON.parse(hidden.stdout).error.message).toBe('--hidden shapes the hidden layers of --model mlp; add --model mlp.')
    expect(JSON.parse(checkpoint.stdout).error.message).toBe('--checkpoint says what --out saves: add --out FILE.pth.')
    expect(JSON.parse(backend.stdout).error.message).toMatch(/--backend cpu chooses tfjs's backend.*add --engine tfjs/)
  })

  it('lab step starts from --init, and reads a negative value after its option as argparse does', async () => {
    const settingsDir = settings()
    const init = join(dir, 'init.json')
    writeFileSync(init, JSON.stringify({ 'linear.weight': [[-5]], 'linear.bias': [37] }))
    const [module, scratch] = await Promise.all([
      runLab(['step', '--init', init, '--steps', '1', '--json'], { settingsDir }),
      runLab(['step', '--scratch', '--w', '-0.5', '--b', '0.25', '--steps', '1', '--json'], { settingsDir }),
    ])
    expect(module.code).toBe(0)
    expect(JSON.parse(module.stdout).initial).toEqual({ 'linear.weight': [[-5]], 'linear.bias': [37] })
    expect(scratch.code).toBe(0)
    expect(JSON.parse(scratch.stdout).initial).toEqual({ w: [-0.5], b: [0.25] })
  })
})

describe('what lab train prints', () => {
  it('keeps notes on stderr and the report alone on stdout: the optimizer state a checkpoint restores', async () => {
    const settingsDir = settings()
    const checkpoint = join(dir, 'restored.pth')
    expect((await runLab(['train', '--epochs', '2', '--out', checkpoint, '--checkpoint'], { settingsDir })).code).toBe(0)
    const result = await runLab(['train', '--epochs', '2', '--init', checkpoint], { settingsDir })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/^Restored the torch\.optim\.SGD state from .*\n$/)
    expect(result.stdout).toMatch(/^TorchLab — dense engine/)
    expect(result.stdout).not.toContain('Restored')
  })

  it("prints every number of a run with the window's digits (shownNumber), the numbers --json gives", async () => {
    const settingsDir = settings()
    const args = ['train', '--epochs', '3']
    const [text, json] = await Promise.all([runLab(args, { settingsDir }), runLab([...args, '--json'], { settingsDir })])
    expect([text.code, json.code]).toEqual([0, 0])
    const r = JSON.parse(json.stdout) as { final_loss: number; state_dict: { 'linear.weight': number[][]; 'linear.bias': number[] }; metrics: { r2: number; mse: number; mae: number }; ols: { coef: number[]; intercept: number } }
    const lines = text.stdout.split('\n')
    expect(lines).toContain(`final epoch loss: ${shownNumber(r.final_loss)}`)
    expect(lines).toContain(`  linear.weight = [[${shownNumber(r.state_dict['linear.weight'][0][0])}]]`)
    expect(lines).toContain(`  linear.bias = [${shownNumber(r.state_dict['linear.bias'][0])}]`)
    expect(lines).toContain(`train R² ${shownNumber(r.metrics.r2)}  MSE ${shownNumber(r.metrics.mse)}  MAE ${shownNumber(r.metrics.mae)}`)
    expect(lines).toContain(`least squares: coef ${shownNumber(r.ols.coef[0])}  intercept ${shownNumber(r.ols.intercept)}`)
  })

  /** `lab ARGS > json` in a terminal (script(1) gives the command one, as a student's shell does), after the shell's own setup; what the terminal showed */
  async function inTerminal(setup: string, args: string, json: string, env: Record<string, string> = {}) {
    const command = `${setup}${process.execPath} --import ${join(ROOT, 'node_modules/tsx/dist/loader.mjs')} ${join(ROOT, 'src/main/cli.ts')} ${args} > ${json}`
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, TORCHLAB_CONFIG_DIR: settings(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    return exited(child)
  }

  it('a run with --json > file on a terminal shows its progress on stderr, and the file holds the whole JSON', async () => {
    const json = join(dir, 'run.json')
    const result = await inTerminal('', 'train --epochs 100000 --json', json)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('100% epoch 100000/100000 loss 10.6306')
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ status: 'completed', epochs: 100000 })
  })

  it('on a narrow terminal the progress line fits its width, so a redraw never wraps onto a new line', async () => {
    const result = await inTerminal('stty cols 40; ', 'train --epochs 100000 --json', join(dir, 'narrow.json'))
    expect(result.code).toBe(0)
    const drawn = result.stdout.split(/\r\n|\r|\n/).filter((line) => line.trim())
    expect(drawn.length).toBeGreaterThan(0)
    for (const line of drawn) expect(line.length).toBeLessThan(40)
    expect(drawn.at(-1)).toMatch(/^100% epoch 100000\/100000/)
  })

  it('a dumb terminal (TERM=dumb) gets plain progress lines, a few, never a carriage return of its own', async () => {
    const result = await inTerminal('', 'train --epochs 100000 --json', join(dir, 'dumb.json'), { TERM: 'dumb' })
    expect(result.code).toBe(0)
    // the terminal turns each \n into \r\n; a bare \r would be a redraw
    const lines = result.stdout.split('\r\n').filter((line) => line)
    expect(lines.join('')).not.toContain('\r')
    expect(lines.length).toBeLessThanOrEqual(11)
    expect(lines.at(-1)).toMatch(/^100% epoch 100000\/100000 loss 10\.6306/)
  })

  it('a --csv the system refuses after a search still prints the search, with the refusal beside it, and fails', async () => {
    const csv = join(dir, 'no such folder', 'cv.csv')
    const result = await runLab(['search', '--grid', 'lr=0.02,0.05', '--json', '--csv', csv], { settingsDir: settings() })
    expect(result.code).toBe(2)
    const report = JSON.parse(result.stdout) as { status: string; best_params: unknown; cv_results: unknown[]; csv_written: unknown; csv_error: { code: string; message: string } }
    expect(report).toMatchObject({ status: 'completed', best_params: { lr: expect.any(Number) }, csv_written: null, csv_error: { code: 'FILE_UNWRITABLE' } })
    expect(report.cv_results).toHaveLength(2)
    expect(result.stderr).toBe(`error: ${report.csv_error.message}\n`)
  })

  it('a save the system refuses after training still prints the run, with the refusal beside it, and fails', async () => {
    const out = join(dir, 'no such folder', 'model.pth')
    const result = await runLab(['train', '--epochs', '5', '--out', out, '--json'], { settingsDir: settings() })
    expect(result.code).toBe(2)
    const report = JSON.parse(result.stdout) as { status: string; epochs: number; state_dict: unknown; saved: unknown; save_error: { code: string; message: string } }
    expect(report).toMatchObject({ status: 'completed', epochs: 5, saved: null, save_error: { code: 'FILE_UNWRITABLE' } })
    expect(Object.keys(report.state_dict as object)).toEqual(['linear.weight', 'linear.bias'])
    expect(result.stderr).toBe(`error: ${report.save_error.message}\n`)
    expect(report.save_error.message).toContain('does not exist')
  })


  it('in LANG=C, from a folder of its own, reads and writes paths and columns with spaces and accents', async () => {
    const folder = join(tempDir('torchlab-cli-shell-'), 'cours ünï')
    mkdirSync(folder)
    writeFileSync(join(folder, 'données.csv'), 'poids é,mpg ü\n1,2\n2,4.1\n3,6.2\n4,7.9\n')
    const where = { settingsDir: settings(), cwd: folder, env: { LANG: 'C', LC_ALL: 'C' } }
    const trained = await runLab(['train', '--data', 'données.csv', '--x', 'poids é', '--y', 'mpg ü', '--epochs', '5', '--out', 'modèle 1.pth', '--checkpoint'], where)
    expect([trained.code, trained.stderr]).toEqual([0, ''])
    // the full path, as the window says it: a script's log then names the file whatever folder it ran in
    expect(trained.stdout).toContain(`saved ${join(folder, 'modèle 1.pth')} (`)
    const predicted = await runLab(['predict', 'modèle 1.pth', '--data', 'données.csv', '--json'], where)
    expect(predicted.code).toBe(0)
    expect(JSON.parse(predicted.stdout)).toMatchObject({ features: ['poids é'] })
  })

  it('npm run lab reads a relative path from the folder it was typed in, and prints the metrics --json gives to six digits', async () => {
    const typedIn = tempDir('torchlab-cli-shell-typed-')
    // y = 2x + 1 exactly: the fit gets so close that four decimals printed MSE 0.0000
    writeFileSync(join(typedIn, 'line.csv'), 'x,y\n' + Array.from({ length: 8 }, (_, i) => `${i / 4},${(2 * i) / 4 + 1}`).join('\n') + '\n')
    const args = ['train', '--data', 'line.csv', '--x', 'x', '--y', 'y', '--lr', '0.1', '--epochs', '2000']
    // what npm sets when a student runs `npm run lab -- …` in a folder of their own
    const npm = { settingsDir: settings(), cwd: ROOT, env: { npm_lifecycle_event: 'lab', INIT_CWD: typedIn } }
    const [text, json] = await Promise.all([runLab(args, npm), runLab([...args, '--json'], npm)])
    expect([text.code, json.code]).toEqual([0, 0])
    const report = JSON.parse(json.stdout) as { metrics: { r2: number; mse: number; mae: number }; ols: { coef: number[]; intercept: number } }
    expect(report.metrics.mse).toBeLessThan(1e-6)
    const printed = (label: string) => Number(new RegExp(`${label} (\\S+)`).exec(text.stdout)?.[1])
    const close = (shown: number, value: number) => expect(Math.abs(shown - value)).toBeLessThanOrEqual(Math.abs(value) * 5e-6)
    close(printed('MSE'), report.metrics.mse)
    close(printed('MAE'), report.metrics.mae)
    close(printed('R²'), report.metrics.r2)
    close(printed('coef'), report.ols.coef[0])
    close(printed('intercept'), report.ols.intercept)
  })
})
