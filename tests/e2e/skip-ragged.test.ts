/** The forgiving import in the real window: a CSV with a ragged line is imported by skipping it, and trains. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useLab } from '../helpers/browser'
import { tempDir } from '../helpers/lab'

const lab = useLab('skip-ragged')

describe('a ragged CSV in the import wizard', () => {
  it('is refused by line until the student skips the row, then imports and trains without it', async () => {
    const h = lab()
    const { page } = h
    const path = join(tempDir('torchlab-e2e-skip-'), 'ragged.csv')
    writeFileSync(path, 'wt;mpg\r\n2,62;21\r\n2,875;21\r\n2,32;22,8;7\r\n3,215;21,4\r\n3,44;18,7\r\n')
    await page.fill('[data-testid="csv-path"]', path)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid="problem-rows"]')).toContain('Line 4 has 3 values but the header has 2')
    expect(await page.textContent('[data-testid="preview-info"]')).toContain('decimal mark “,”')
    await page.selectOption('[data-testid="role-wt"]', 'feature')
    await page.selectOption('[data-testid="role-mpg"]', 'target')
    await expect.poll(() => page.textContent('[data-testid="summary-error"]')).toContain('line 4:')
    await h.shot('1-refused')

    await page.getByRole('button', { name: 'Skip these rows (1)' }).click()
    await expect.poll(() => page.textContent('[data-testid="problem-rows"]')).toContain('Skipped 1 row that does not have 2 values: line 4.')
    await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('wt → mpg')
    expect(await page.textContent('[data-testid="data-summary"]')).toContain('4 training rows')
    expect(await page.$('[data-testid="summary-error"]')).toBeNull()
    await h.shot('2-skipped')

    await page.fill('[data-testid="epochs"]', '20')
    await page.click('[data-testid="start"]')
    await expect.poll(() => page.textContent('[data-testid="run-status"]'), { timeout: 60_000 }).toContain('completed')
    await h.shot('3-trained')
  })
})
