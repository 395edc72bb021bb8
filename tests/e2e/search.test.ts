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
    // a value the search would refuse is refused as it is typed, in the service's own sentence, with no fit count
    const problem = page.locator('[data-testid="search-problem"]')
    await page.fill('[data-testid="grid-lr"]', '0.02, abc')
    await expect.poll(() => problem.textContent()).toBe('The search value "abc" for lr is not a number.')
    expect(await page.locator('[data-testid="fit-count"]').count()).toBe(0)
    expect(await page.isEnabled('[data-testid="search-start"]')).toBe(false)
    await page.fill('[data-testid="grid-lr"]', '0.02, 0.05, 0.08')
    await page.getByLabel('folds').fill('2.5')
    await expect.poll(() => problem.textContent()).toBe('Invalid search. Folds must be a whole number.')
    expect(await page.locator('[data-testid="fit-count"]').count()).toBe(0)
    await page.getByLabel('folds').fill('3')
    await page.fill('[data-testid="grid-epochs"]', '10, 200, 500')
    await expect.poll(() => page.textContent('[data-testid="fit-count"]')).toContain('= 27 fits')
    expect(await problem.count()).toBe(0)
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
    // GridSearchCV ranks a diverged (NaN) setting last, tied: 7 settings scored, the 2 diverged ones are 8th, as `lab search` prints them
    const ranks = await page.locator('[data-testid="search-results"] tbody tr').evaluateAll((rows) =>
      rows.map((row) => `${row.querySelector('[data-testid="search-rank"]')!.textContent} ${/diverged/.test(row.textContent ?? '') ? 'diverged' : 'scored'}`),
    )
    expect(ranks.filter((r) => r.endsWith('diverged'))).toEqual(['8 diverged', '8 diverged'])
    expect(ranks.filter((r) => r.endsWith('scored')).map((r) => Number(r.split(' ')[0])).sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
    const heat = await page.textContent('[data-testid="search-heatmap"]')
    expect(heat?.match(/diverged/g)).toHaveLength(2)
    // every score cell carries the digits the rest of the window shows: a scored row's folds average to its mean, and its heatmap cell is its mean
    const scored = await page.locator('[data-testid="search-results"] tbody tr').evaluateAll((rows) =>
      rows
        .filter((row) => !/diverged/.test(row.textContent ?? ''))
        .map((row) => ({
          splits: [...row.querySelectorAll('[data-testid="search-split"]')].map((td) => Number(td.textContent)),
          mean: (row.querySelector('[data-testid="search-mean"]')!.textContent ?? '').split('±')[0].trim(),
        })),
    )
    expect(scored).toHaveLength(7)
    for (const row of scored) {
      // six significant digits each: the folds' average is the mean to within their rounding (three decimals missed it by 5e-4)
      const digits = 1e-5 * Math.max(...row.splits.map(Math.abs), Math.abs(Number(row.mean)))
      expect(Math.abs(row.splits.reduce((a, b) => a + b, 0) / row.splits.length - Number(row.mean))).toBeLessThanOrEqual(digits)
    }
    const cells = await page.locator('[data-testid="search-heatmap"] tbody td').evaluateAll((tds) => tds.map((td) => td.textContent?.trim()))
    expect(cells.filter((c) => !/diverged/.test(c ?? '')).sort()).toEqual(scored.map((r) => r.mean).sort())
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
