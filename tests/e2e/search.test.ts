/** The course's grid search in the real window: table, heatmap, best settings into the Train panel. */
import { describe, expect, it } from 'vitest'
import { useLab } from '../helpers/browser'

const lab = useLab('search')

describe('grid search in the lab window', () => {
  it('runs the course grid, marks lr 0.08 diverged, and copies the best setting into Train', async () => {
    const h = lab()
    const { page } = h
    await page.getByRole('button', { name: 'Cars (mtcars)' }).click()
    await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('wt → mpg')
    await page.fill('[data-testid="grid-lr"]', '0.02, 0.05, 0.08')
    await page.fill('[data-testid="grid-epochs"]', '10, 200, 500')
    await expect.poll(() => page.textContent('[data-testid="fit-count"]')).toContain('= 27 fits')
    // the status line when the first result row appears: the table fills as fits finish, not at the end
    const firstRowSeen = page.evaluate(`new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (document.querySelector('[data-testid="search-results"] tbody tr')) {
          observer.disconnect()
          resolve(document.querySelector('[data-testid="search-status"]')?.textContent ?? '')
        }
      })
      observer.observe(document.body, { subtree: true, childList: true })
    })`) as Promise<string>
    await page.click('[data-testid="search-start"]')
    expect(await firstRowSeen).toMatch(/^running · \d+ \/ 27 fits/)
    await expect.poll(() => page.textContent('[data-testid="search-status"]'), { timeout: 60_000 }).toContain('completed')
    // settings in words, never raw JSON
    expect(await page.textContent('[data-testid="search-best"]')).toContain('learning rate 0.05, epochs 500')
    expect(await page.textContent('[data-testid="search-panel"]')).not.toMatch(/[{}]/)
    const heat = await page.textContent('[data-testid="search-heatmap"]')
    expect(heat?.match(/diverged/g)).toHaveLength(2)
    await page.waitForSelector('[data-testid="search-curves"]')
    await h.shot('results')
    await page.click('[data-testid="use-best"]')
    expect(await page.inputValue('[data-testid="lr"]')).toBe('0.05')
    expect(await page.inputValue('[data-testid="epochs"]')).toBe('500')
    expect(await page.inputValue('[data-testid="batch-size"]')).toBe('128')
    // it says what it changed, the search's batch size among them
    const note = await page.textContent('[data-testid="use-best-note"]')
    expect(note).toContain('learning rate 0.02 → 0.05')
    expect(note).toContain('batch size 2 → 128 (the search\'s)')
  })
})
