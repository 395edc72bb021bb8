/**
 * What a student with a keyboard and a 1280×800 screen trips on: the role selects of a wide file
 * cut off by the columns box, a path box that ignores Enter, the Learning lab's tabs without
 * their arrow keys, and, last, a window whose lab server was killed under a running run that
 * kept saying "running" beside a live Stop button (and a page opened at a stale address, blank).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { chooseCourseData, useLab } from '../helpers/browser'
import { tempDir } from '../helpers/lab'

const lab = useLab('keyboard')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)

describe('the window at 1280×800, by keyboard', () => {
  it('shows every role select of a wide data set inside the columns box, and a summary without doubled spaces', async () => {
    const { page, shot } = lab()
    await page.setViewportSize({ width: 1280, height: 800 })
    for (const [name, target] of [['Iris', 'species'], ['Wine', 'cultivar'], ['Cars (mtcars)', 'mpg']]) {
      await page.getByRole('button', { name, exact: true }).click()
      await expect.poll(() => text('data-summary')).toContain(`→ ${target}`)
      const cut = await page.evaluate(() => {
        const box = document.querySelector('[data-testid="columns"]')!.parentElement!.getBoundingClientRect()
        return [...document.querySelectorAll('[data-testid^="role-"]')].filter((s) => s.getBoundingClientRect().right > box.right).map((s) => s.getAttribute('data-testid'))
      })
      expect(cut, name).toEqual([])
      // a set without classes (cars) said "rows  · No missing values"
      expect(await text('data-summary'), name).not.toMatch(/\s{2}/)
    }
    await shot('1-columns-1280')
    // each lesson's title on one line: "Hyperparameter tuning with grid search" wrapped, centred, under the one above
    await page.click('[data-testid="tab-lessons"]')
    const heights = await page.locator('[data-testid="lesson-list"] button').evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().height))
    expect(heights).toHaveLength(7)
    expect(Math.max(...heights) - Math.min(...heights)).toBeLessThan(2)
    await page.setViewportSize({ width: 1440, height: 1000 })
  })

  it('gives every control a name a screen reader reads, the second of a pair of numbers (Adam’s betas) too', async () => {
    const { page } = lab()
    await page.getByRole('button', { name: 'Iris', exact: true }).click()
    await expect.poll(() => text('data-summary')).toContain('→ species')
    await page.click('[data-testid="preset-mlp"]')
    await page.selectOption('[data-testid="optimizer"]', 'Adam')
    // what Chromium hands a screen reader: every control in its accessibility tree, with the name it reads out
    const cdp = await page.context().newCDPSession(page)
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[] }
    const controls = nodes.filter((n) => !n.ignored && ['textbox', 'spinbutton', 'combobox', 'checkbox', 'button', 'link', 'tab'].includes(n.role?.value ?? ''))
    expect(controls.length).toBeGreaterThan(50)
    expect(controls.filter((n) => !n.name?.value.trim()).map((n) => n.role?.value)).toEqual([])
    expect(controls.map((n) => n.name?.value)).toEqual(expect.arrayContaining(['Betas[0]', 'Betas[1]']))
    await cdp.detach()
  })

  it('moves along the Learning lab’s tabs with the arrow keys, Home and End, with one Tab stop for the row', async () => {
    const { page } = lab()
    await page.click('[data-testid="tab-lessons"]')
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.getAttribute('[data-testid="tab-step"]', 'aria-selected')).toBe('true')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tab-step')
    await page.keyboard.press('End')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tab-landscape')
    await page.keyboard.press('ArrowRight')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tab-lessons')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('Home')
    expect(await page.getAttribute('[data-testid="tab-lessons"]', 'aria-selected')).toBe('true')
    // Tab leaves the row for the shown tab's content, not for the next tab
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toMatch(/^lesson-/)
  })

  it('saves the weights and exports the script on Enter in their path boxes, as Open .pth does', async () => {
    const { page } = lab()
    await chooseCourseData(page)
    await page.fill('[data-testid="epochs"]', '5')
    await page.click('[data-testid="start"]')
    await expect.poll(() => text('run-status'), { timeout: 20_000 }).toBe('completed')
    const dir = tempDir('torchlab-e2e-keys-')
    await page.fill('[data-testid="save-path"]', join(dir, 'typed.pth'))
    await page.press('[data-testid="save-path"]', 'Enter')
    await expect.poll(() => text('files-message')).toMatch(/^Saved .*typed\.pth/)
    await page.fill('[data-testid="export-path"]', join(dir, 'typed.py'))
    await page.press('[data-testid="export-path"]', 'Enter')
    await expect.poll(() => text('files-message')).toMatch(/^Wrote .*typed\.py/)
    expect(existsSync(join(dir, 'typed.pth')) && existsSync(join(dir, 'typed.py'))).toBe(true)
  })

  it('says so, instead of a blank page, when the page’s address is not its server’s (started again since: a new token)', async () => {
    const { page, url } = lab()
    const context = await page.context().browser()!.newContext()
    const stale = await context.newPage()
    const thrown: string[] = []
    stale.on('pageerror', (err) => thrown.push(err.message))
    await stale.goto(url.replace(/token=\w+/, 'token=0123456789abcdef'))
    await expect.poll(() => stale.textContent('[data-testid="connection-lost"]').catch(() => null)).toContain('TorchLab could not reach its lab service from this page')
    expect(thrown).toEqual([])
    await context.close()
  })

  it('says the lab is out of reach when its server is killed under a run, and stops offering Pause and Stop', async () => {
    const h = lab()
    const { page } = h
    await page.fill('[data-testid="epochs"]', '5000')
    await page.click('[data-testid="start"]')
    await expect.poll(() => text('run-status'), { timeout: 20_000 }).toBe('running')
    h.killServer()
    await expect.poll(() => text('connection-lost')).toBe('The connection to the lab service closed. Restart it (npm start) and reload the page.')
    expect(await text('run-status')).toBe('disconnected')
    expect(await page.isEnabled('[data-testid="stop"]')).toBe(false)
    expect(await page.isEnabled('[data-testid="pause"]')).toBe(false)
    // the sentence stays in view wherever the student has scrolled
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight))
    const banner = (await page.locator('[data-testid="connection-lost"]').boundingBox())!
    expect(banner.y).toBeLessThan(5)
    await h.shot('4-server-gone')
  })
})
