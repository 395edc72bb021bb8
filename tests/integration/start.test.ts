/**
 * `npm start` where the desktop window cannot open (here: no Electron binary, as in an offline
 * install) says why in one line and serves the real window in the browser: the launcher is
 * spawned as npm runs it, its URL fetched, then it is stopped. The choice itself is tested on
 * each kind of machine.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { parseArgs } from 'node:util'
import { chooseShell, shellFacts, type ShellFacts } from '../../src/main/desktopShell'
import { launchProblem, portProblem } from '../../src/main/launchOptions'
import { ROOT, tempDir } from '../helpers/lab'

describe('npm start', () => {
  it('without a desktop window prints one line saying why, then a working URL', async () => {
    const here = chooseShell(shellFacts(false))
    // on a machine where Electron could open a window, ask for the browser instead of opening one
    const args = here.kind === 'electron' ? ['--browser'] : []
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/start.ts'), '--skip-build', ...args], {
      cwd: ROOT,
      env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir('torchlab-start-settings-') },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const lines: string[] = []
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line)
        const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(line)
        if (match) resolve(match[1])
      })
      child.once('exit', (code) => reject(new Error(`the launcher exited with ${code}: ${lines.join('\n')}`)))
    })
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^TorchLab: the desktop window is unavailable: .+\. Serving the same window in your browser instead\.$/)
    if (here.kind === 'browser') expect(lines[0]).toContain(here.reason)
    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="app"></div>')
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})

describe('the launchers’ options', () => {
  const launch = (script: string, ...args: string[]) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main', script), ...args], {
      cwd: ROOT,
      env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir('torchlab-start-settings-') },
      encoding: 'utf8',
      timeout: 30_000,
    })
    return { status: result.status, stderr: result.stderr.trim() }
  }

  it('refuses a typo in a sentence and exit code 2, as npm runs it', () => {
    expect(launch('start.ts', '--skip-build', '--brwoser')).toEqual({ status: 2, stderr: 'npm start has no option "--brwoser"; did you mean --browser? It takes --browser, --skip-build, --port.' })
  })

  const WEB = { port: { type: 'string' }, 'max-upload-mb': { type: 'string' } } as const
  const problem = (args: string[]) => {
    try {
      parseArgs({ options: WEB, args })
    } catch (err) {
      return launchProblem('npm run web', WEB, err)
    }
    return 'read'
  }
  it.each([
    [['--prot', '5'], 'npm run web has no option "--prot"; did you mean --port? It takes --port, --max-upload-mb.'],
    [['--colour'], 'npm run web has no option "--colour". It takes --port, --max-upload-mb.'],
    [['--port'], "npm run web's --port takes a value (--port VALUE)."],
    [['cars.csv'], 'npm run web takes only options (--port, --max-upload-mb); "cars.csv" is not one.'],
  ])('names what it cannot read in %j', (args, sentence) => {
    expect(problem(args)).toBe(sentence)
  })
  it.each(['abc', '70000', '-1', '8.5', ''])('refuses the port "%s"', (text) => {
    expect(portProblem('npm run web', text)).toBe(`npm run web's --port takes a whole number from 1 to 65535 (or 0 for any free port); "${text}" is not one.`)
  })
  it.each(['0', '8080', '65535'])('takes the port "%s"', (text) => {
    expect(portProblem('npm run web', text)).toBeUndefined()
  })

  it('says so when the port is taken by another program', async () => {
    const holder = createServer()
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done))
    const { port } = holder.address() as { port: number }
    try {
      expect(launch('web.ts', '--port', String(port))).toEqual({
        status: 2,
        stderr: `TorchLab cannot serve its window on 127.0.0.1 port ${port}: another program is using that port. Choose another port with --port, or leave --port out for a free one.`,
      })
    } finally {
      holder.close()
    }
  })
})

describe('the desktop shell', () => {
  const machine: ShellFacts = { binary: '/opt/electron/electron', binaryExists: true, platform: 'linux', env: { DISPLAY: ':0' }, browserAsked: false }
  const reason = (facts: Partial<ShellFacts>) => {
    const choice = chooseShell({ ...machine, ...facts })
    return choice.kind === 'browser' ? choice.reason : 'electron'
  }

  it('opens where Electron and a display are there', () => {
    expect(reason({})).toBe('electron')
    expect(reason({ env: { WAYLAND_DISPLAY: 'wayland-0' } })).toBe('electron')
    expect(reason({ platform: 'darwin', env: {} })).toBe('electron')
    expect(reason({ platform: 'win32', env: {} })).toBe('electron')
  })
  it('names why it cannot', () => {
    const missing = new Error('Electron failed to install correctly, please delete node_modules/electron and try installing again')
    expect(reason({ binary: missing, env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } })).toBe("Electron's binary is not installed (npm skipped its download: ELECTRON_SKIP_BINARY_DOWNLOAD is set)")
    expect(reason({ binary: missing, env: {} })).toBe("Electron's binary is not installed (its download was skipped or failed, as in an offline install)")
    expect(reason({ binaryExists: false })).toBe("Electron's binary is missing from /opt/electron/electron")
    expect(reason({ env: {} })).toMatch(/no display/)
    expect(reason({ browserAsked: true })).toMatch(/--browser/)
  })
})
