/** A broken CSV in the real window: the student sees the line and column, and can fix the choice without starting over. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useLab } from '../helpers/browser'
import { tempDir } from '../helpers/lab'

const lab = useLab('broken-csv')

describe('broken files in the import wizard', () => {
  it('shows the ragged line, then the line and column of a bad number, and recovers when the choice changes', async () => {
    const h = lab()
    const { page } = h
    const dir = tempDir('torchlab-e2e-csv-')
    const ragged = join(dir, 'ragged.csv')
    writeFileSync(ragged, 'wt,mpg,hp\n2.6,21,110\n2.9,21\n3.2,22.8,93\n')
    await page.fill('[data-testid="csv-path"]', ragged)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid="problem-rows"]')).toContain('Line 3 has 2 values but the header has 3')
    expect(await page.textContent('[data-testid="preview-info"]')).toContain('2 rows')
    await h.shot('1-ragged')

    const badNumber = join(dir, 'bad-number.csv')
    writeFileSync(badNumber, 'wt;mpg;hp\n2,6;21;110\n2,9;twenty;95\n3,2;22,8;93\n')
    await page.fill('[data-testid="csv-path"]', badNumber)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await page.waitForSelector('[data-testid="columns"]')
    await page.selectOption('[data-testid="decimal"]', ',')
    await page.selectOption('[data-testid="role-wt"]', 'feature')
    await page.selectOption('[data-testid="role-mpg"]', 'target')
    await expect.poll(() => page.textContent('[data-testid="summary-error"]')).toContain('line 3, column “mpg”')
    expect(await page.textContent('[data-testid="summary-error"]')).toContain('"twenty" on line 3')
    await h.shot('2-bad-number')

    // the student picks hp as the target instead: the wizard recovers without starting over
    await page.selectOption('[data-testid="role-hp"]', 'target')
    await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('wt → hp')
    expect(await page.$('[data-testid="summary-error"]')).toBeNull()
    await h.shot('3-recovered')
  })
})
