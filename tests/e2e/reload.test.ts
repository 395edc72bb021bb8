/**
 * A window that starts afresh while the lab goes on: a reload (Ctrl+R, or a renderer that
 * crashed and came back) or a second tab, in Chromium against the real lab. What the lab is
 * training or searching stays in reach: its progress, its results so far, its Pause and Cancel.
 */
import { expect, it } from 'vitest'
import { chooseCourseData, useLab } from '../helpers/browser'

const lab = useLab('reload')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)

/**
 * The course's data searched over hidden sizes 64x64 for 20,000 epochs a fold with batches of
 * one row: minutes of fits, so the search is still running whatever the test does meanwhile.
 */
async function startLongSearch(): Promise<void> {
  const { page } = lab()
  await chooseCourseData(page)
  await page.fill('[data-testid="grid-lr"]', '0.001, 0.002')
  await page.fill('[data-testid="grid-epochs"]', '20000')
  await page.fill('[data-testid="grid-hidden"]', '64x64')
  await page.getByLabel('batch size', { exact: true }).last().fill('1')
  await expect.poll(() => text('fit-count')).toContain('2 settings × 3 folds = 6 fits')
  await page.click('[data-testid="search-start"]')
  await expect.poll(() => text('search-status'), { timeout: 30_000 }).toMatch(/^running · 0 \/ 6 fits/)
}

it('takes up a search still running after a reload: its settings, its progress and a Cancel that ends it', async () => {
  const { page, shot } = lab()
  await startLongSearch()
  await page.reload()
  await page.waitForSelector('main[data-ready="true"]')
  // the window shows the search the lab is running, as it was asked for, and no second one can start over it
  await expect.poll(() => text('search-status'), { timeout: 10_000 }).toMatch(/^running · \d \/ 6 fits/)
  expect(await page.inputValue('[data-testid="grid-lr"]')).toBe('0.001, 0.002')
  expect(await page.inputValue('[data-testid="grid-hidden"]')).toBe('64x64')
  expect(await page.inputValue('[data-testid="grid-epochs"]')).toBe('20000')
  expect(await page.getByLabel('batch size', { exact: true }).last().inputValue()).toBe('1')
  expect(await page.isDisabled('[data-testid="search-start"]')).toBe(true)
  await page.locator('[data-testid="search-panel"]').scrollIntoViewIfNeeded()
  await shot('search-after-reload')
  await page.click('[data-testid="search-cancel"]')
  await expect.poll(() => text('search-status'), { timeout: 30_000 }).toMatch(/^cancelled/)
  expect(await page.isEnabled('[data-testid="search-start"]')).toBe(true)
})
