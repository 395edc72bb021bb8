/**
 * The window a classroom can trust, in real Chromium against the real lab: Start and the loss
 * plot on screen at 1280×800, the `?` shortcuts list, charts that reach nothing online, a runs
 * table that compares and deletes, a classifier's predictions named by class, and a screenshot
 * of every panel at two sizes in both themes.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ARTIFACTS, chooseCourseData, useLab } from '../helpers/browser'

const lab = useLab('classroom')
const PANELS = ['data', 'model', 'train', 'evaluate', 'files', 'search'] as const
const SIZES = [
  [1280, 800],
  [1024, 700],
] as const

const status = () => lab().page.textContent('[data-testid="run-status"]')

async function train(lr: string, epochs: string): Promise<void> {
  const { page } = lab()
  await page.fill('[data-testid="lr"]', lr)
  await page.fill('[data-testid="epochs"]', epochs)
  await page.selectOption('[data-testid="speed"]', { label: 'as fast as possible' })
  const before = await page.locator('[data-testid="run-row"]').count()
  await page.click('[data-testid="start"]')
  // the status line shows the new run only once it is in the table; until then it is the last run's
  await expect.poll(() => page.locator('[data-testid="run-row"]').count(), { timeout: 30_000 }).toBe(before + 1)
  await expect.poll(status, { timeout: 60_000 }).toMatch(/completed|diverged/)
  // the run's evaluation arrives after its end
  await page.waitForSelector('[data-testid="r2"], [data-testid="accuracy"]', { timeout: 30_000 })
}

describe('the classroom window', () => {
  it('shows Start and the loss plot without scrolling at 1280×800, and Start at 1024×700', async () => {
    const { page } = lab()
    await chooseCourseData(lab().page)
    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height })
      await page.evaluate('window.scrollTo(0, 0)')
      const start = await page.locator('[data-testid="start"]').boundingBox()
      expect(start, `Start at ${width}×${height}`).not.toBeNull()
      expect(start!.y + start!.height).toBeLessThanOrEqual(height)
      expect(start!.x + start!.width).toBeLessThanOrEqual(width)
      if (width === 1280) {
        const plot = await page.locator('[data-testid="loss-plot"]').boundingBox()
        expect(plot!.y + plot!.height).toBeLessThanOrEqual(height)
        expect(plot!.x + plot!.width).toBeLessThanOrEqual(width)
      }
      // nothing wider than the window: no sideways scrolling
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width)
    }
  })

  it('lists the shortcuts on `?` and closes the list on Escape', async () => {
    const { page } = lab()
    await page.locator('body').click({ position: { x: 5, y: 5 } })
    expect(await page.isVisible('[data-testid="shortcuts"]')).toBe(false)
    await page.keyboard.press('?')
    await expect.poll(() => page.isVisible('[data-testid="shortcuts"]')).toBe(true)
    const text = await page.textContent('[data-testid="shortcuts"]')
    for (const keys of ['Ctrl+Enter', 'Space', 'Ctrl+S', 'Ctrl+O', '?']) expect(text).toContain(keys)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.isVisible('[data-testid="shortcuts"]')).toBe(false)
    // typing a ? into a text box is text, not a shortcut
    await page.fill('[data-testid="grid-lr"]', '')
    await page.locator('[data-testid="grid-lr"]').pressSequentially('0.1?')
    expect(await page.isVisible('[data-testid="shortcuts"]')).toBe(false)
    await page.fill('[data-testid="grid-lr"]', '0.02, 0.05, 0.08')
  })

  it('compares two runs side by side and deletes one; the charts have no Share or cloud button and ask nothing of the internet', async () => {
    const { page } = lab()
    const offsite: string[] = []
    page.on('request', (request) => {
      if (!/^(http|ws)s?:\/\/127\.0\.0\.1[:/]|^(data|blob):/.test(request.url())) offsite.push(request.url())
    })
    await page.setViewportSize({ width: 1280, height: 800 })
    await chooseCourseData(lab().page)
    await train('0.02', '30')
    await train('0.05', '30')
    const rows = page.locator('[data-testid="run-row"]')
    await expect.poll(() => rows.count()).toBe(2)
    expect(await page.isVisible('[data-testid="runs-compare"]')).toBe(false)
    await rows.nth(0).locator('[data-testid="run-compare"]').check()
    await rows.nth(1).locator('[data-testid="run-compare"]').check()
    const compare = page.locator('[data-testid="runs-compare"]')
    await expect.poll(() => compare.isVisible()).toBe(true)
    expect(await compare.locator('thead th').allTextContents()).toEqual(['', 'run 1', 'run 2'])
    const r2Row = await compare.locator('tr', { hasText: 'R²' }).locator('td').allTextContents()
    expect(r2Row).toHaveLength(2)
    // different learning rates, different results: each column is its own run's number
    expect(r2Row[0]).not.toBe(r2Row[1])
    for (const v of r2Row) expect(Number.isFinite(Number(v))).toBe(true)

    // selecting the first run shows its evaluation
    await rows.nth(0).locator('[data-testid="run-select"]').click()
    await expect.poll(() => page.textContent('[data-testid="r2"]')).toBe(r2Row[0])

    // hiding a run takes its curve off the loss plot
    const curves = () => page.locator('[data-testid="loss-plot"] .scatterlayer .trace').count()
    // both runs' curves are on the plot first (plots take turns to redraw, so the second may be a turn behind)
    await expect.poll(curves).toBe(2)
    const drawn = await curves()
    await rows.nth(1).locator('[data-testid="run-show"]').uncheck()
    await expect.poll(curves).toBe(drawn - 1)
    await rows.nth(1).locator('[data-testid="run-show"]').check()
    await expect.poll(curves).toBe(drawn)

    // the modebar: plotly's own tools only, nothing that links or sends anywhere
    await page.locator('[data-testid="loss-plot"]').hover()
    const buttons = await page.locator('[data-testid="loss-plot"] .modebar-btn').evaluateAll((els) => els.map((e) => e.getAttribute('data-title') ?? ''))
    expect(buttons.length).toBeGreaterThan(3)
    expect(buttons.filter((t) => /share|cloud|chart studio|edit in|plotly|produced with/i.test(t))).toEqual([])
    expect(await page.locator('.plotlyjsicon, .js-plot-link-container, a[href*="plot.ly"], a[href*="plotly.com"]').count()).toBe(0)
    // the modebar's mouse tools stay out of the keyboard's Tab order
    expect(await page.locator('[data-testid="loss-plot"] .modebar-btn:not([tabindex="-1"])').count()).toBe(0)

    await rows.nth(0).locator('[data-testid="run-delete"]').click()
    await expect.poll(() => rows.count()).toBe(1)
    expect(await page.isVisible('[data-testid="runs-compare"]')).toBe(false)
    expect(offsite).toEqual([])
  }, 180_000)

  it('draws a classifier\'s predictions against the actual classes, axes named and ticked with class names', async () => {
    const { page } = lab()
    await page.getByRole('button', { name: 'Iris' }).click()
    await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('species')
    await page.getByLabel('Standardize features').check()
    await page.click('[data-testid="preset-mlp"]')
    await page.selectOption('[data-testid="loss"]', 'CrossEntropyLoss')
    await page.selectOption('[data-testid="optimizer"]', 'Adam')
    await page.fill('[data-testid="batch-size"]', '16')
    await train('0.05', '40')
    const fit = page.locator('[data-testid="fit-plot"]')
    await expect.poll(() => fit.locator('.g-xtitle').textContent(), { timeout: 30_000 }).toBe('actual species')
    expect(await fit.locator('.g-ytitle').textContent()).toBe('predicted species')
    const classes = ['setosa', 'versicolor', 'virginica']
    await expect.poll(() => fit.locator('.xtick text').allTextContents()).toEqual(classes)
    expect(await fit.locator('.ytick text').allTextContents()).toEqual(classes)
    // right predictions and wrong ones are told apart in the confusion matrix too
    const correct = await page.$$eval('[data-testid="confusion-matrix"] td[data-correct="true"]', (tds) => tds.map((td) => getComputedStyle(td).backgroundColor))
    const wrong = await page.$$eval('[data-testid="confusion-matrix"] td[data-correct="false"]', (tds) => tds.map((td) => getComputedStyle(td).backgroundColor))
    expect(correct).toHaveLength(3)
    for (const c of correct) expect(c).toMatch(/rgba?\(46, 125, 50/)
    for (const c of wrong) expect(c).not.toMatch(/rgba?\(46, 125, 50/)
  }, 120_000)

  it('writes a screenshot of every panel at 1280×800 and 1024×700, light and dark', async () => {
    const { page } = lab()
    for (const theme of ['light', 'dark'] as const) {
      while ((await page.textContent('[data-testid="theme"]')) !== `theme: ${theme}`) await page.click('[data-testid="theme"]')
      for (const [width, height] of SIZES) {
        await page.setViewportSize({ width, height })
        // plots redraw at most five times a second: let the resize and the theme settle
        await page.waitForTimeout(600)
        await page.evaluate('window.scrollTo(0, 0)')
        // what a student sees first, without scrolling
        await page.screenshot({ path: join(ARTIFACTS, `window-${width}x${height}-${theme}.png`) })
        for (const panel of PANELS) {
          const section = page.locator(`section[aria-labelledby="${panel}-title"]`)
          await section.scrollIntoViewIfNeeded()
          await section.screenshot({ path: join(ARTIFACTS, `${panel}-${width}x${height}-${theme}.png`) })
        }
      }
    }
  }, 120_000)
})
