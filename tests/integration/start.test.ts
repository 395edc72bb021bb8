/**
 * `npm start` where the desktop window cannot open (here: no Electron binary, as in an offline
 * install) says why in one line and serves the real window in the browser: the launcher is
 * spawned as npm runs it, its URL fetched, then it is stopped. The choice itself is tested on
 * each kind of machine.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { chooseShell, shellFacts, type ShellFacts } from '../../src/main/desktopShell'
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
