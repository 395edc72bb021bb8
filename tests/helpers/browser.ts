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

/** the course's data as a student picks it: the bundled cars, wt as the feature, mpg as the target */
export async function chooseCourseData(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Cars (mtcars)' }).click()
  await page.selectOption('[data-testid="role-wt"]', 'feature')
  await page.selectOption('[data-testid="role-mpg"]', 'target')
  await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('wt → mpg')
}
