/**
 * End-to-end harness: the built renderer served by the real bridge (npm run web's server) and
 * driven in Debian's Chromium with playwright-core. Screenshots go to test-results/.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { ROOT, tempDir } from './lab'

export const ARTIFACTS = join(ROOT, 'test-results')
const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p))

export interface Harness {
  page: Page
  url: string
  shot(name: string): Promise<void>
  /** the lab's server killed under the window, as when its terminal is closed */
  killServer(): void
  close(): Promise<void>
}

function startServer(settingsDir: string, serverArgs: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/web.ts'), ...serverArgs], {
    cwd: ROOT,
    env: { ...process.env, TORCHLAB_CONFIG_DIR: settingsDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\w+)/.exec(out)
      if (match) resolve({ child, url: match[1] })
    })
    child.on('exit', (code) => reject(new Error(`the web harness exited with ${code}`)))
  })
}

/** `settingsDir`: what an earlier session left behind (settings.json); a fresh folder when absent. `serverArgs`: npm run web's options */
export async function openLab(testName: string, settingsDir = tempDir('torchlab-e2e-settings-'), serverArgs: string[] = []): Promise<Harness> {
  const { child, url } = await startServer(settingsDir, serverArgs)
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  await page.goto(url)
  await page.waitForSelector('main[data-ready="true"]')
  const dir = join(ARTIFACTS, testName)
  mkdirSync(dir, { recursive: true })
  return {
    page,
    url,
    shot: async (name) => {
      await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
    },
    killServer: () => {
      child.kill('SIGKILL')
    },
    close: async () => {
      await browser.close()
      child.kill('SIGTERM')
      if (errors.length) throw new Error(`the page threw: ${errors.join('; ')}`)
    },
  }
}

/** One window per test file: opened before its tests, closed (and checked for page errors) after. */
export function useLab(testName: string): () => Harness {
  let harness: Harness | undefined
  beforeAll(async () => {
    harness = await openLab(testName)
  })
  afterAll(async () => {
    await harness?.close()
  })
  return () => harness!
}

/** columns given their roles as a student gives them, one select at a time; waits for the summary to name them */
export async function giveRoles(page: Page, features: string[], target: string): Promise<void> {
  for (const feature of features) await page.selectOption(`[data-testid="role-${feature}"]`, 'feature')
  await page.selectOption(`[data-testid="role-${target}"]`, 'target')
  await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain(`${features.join(', ')} → ${target}`)
}

/**
 * A CSV opened by its path (typed, then Enter) and its columns given roles. `rows`: the file's
 * row count, waited for in the preview so that the roles go on this file's columns, not on the
 * same-named columns of the file shown before it.
 */
export async function openCsv(page: Page, path: string, roles: { rows: number; features: string[]; target: string }): Promise<void> {
  await page.fill('[data-testid="csv-path"]', path)
  await page.press('[data-testid="csv-path"]', 'Enter')
  await expect.poll(() => page.textContent('[data-testid="preview-info"]')).toMatch(new RegExp(`^\\s*${roles.rows} rows`))
  await giveRoles(page, roles.features, roles.target)
}

/** the course's data as a student picks it: the bundled cars, wt as the feature, mpg as the target */
export async function chooseCourseData(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Cars (mtcars)' }).click()
  await giveRoles(page, ['wt'], 'mpg')
}

/**
 * Counts the requests the page sends the lab from now on, by method (a second Start, the pulls
 * of a run). The page's sender is wrapped once; each call restarts the counts.
 */
export async function countRequests(page: Page): Promise<(method: string) => Promise<number>> {
  await page.evaluate(`(() => {
    if (!window.requestsSent) {
      const send = WebSocket.prototype.send
      WebSocket.prototype.send = function (data) {
        if (typeof data === 'string') {
          const { method } = JSON.parse(data)
          window.requestsSent[method] = (window.requestsSent[method] ?? 0) + 1
        }
        return send.call(this, data)
      }
    }
    window.requestsSent = {}
  })()`)
  return (method) => page.evaluate(`window.requestsSent[${JSON.stringify(method)}] ?? 0`) as Promise<number>
}
