/** An MLP classifier on iris in the real window: accuracy and a confusion matrix. */
import { describe, expect, it } from 'vitest'
import { useLab } from '../helpers/browser'

const lab = useLab('iris')

describe('classification in the lab window', () => {
  it('trains an MLP on iris to accuracy ≥ 0.9 and shows the confusion matrix', async () => {
    const h = lab()
    const { page } = h
    await page.getByRole('button', { name: 'Iris' }).click()
    await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('species')
    await page.getByLabel('Standardize features').check()
    await page.click('[data-testid="preset-mlp"]')
    await page.fill('[data-testid="units-0"]', '16')
    await page.selectOption('[data-testid="loss"]', 'CrossEntropyLoss')
    await page.selectOption('[data-testid="optimizer"]', 'Adam')
    await page.fill('[data-testid="lr"]', '0.05')
    await page.fill('[data-testid="batch-size"]', '16')
    await page.fill('[data-testid="epochs"]', '60')
    await expect.poll(() => page.textContent('[data-testid="param-count"]')).toContain('131 parameters')
    expect(await page.textContent('[data-testid="pytorch-code"]')).toContain('nn.Linear(16, 3)')
    await page.click('[data-testid="start"]')
    await expect.poll(() => page.textContent('[data-testid="run-status"]'), { timeout: 60_000 }).toBe('completed')
    await page.waitForSelector('[data-testid="confusion-matrix"]')
    expect(Number(await page.textContent('[data-testid="accuracy"]'))).toBeGreaterThanOrEqual(0.9)
    const cells = await page.$$eval('[data-testid="confusion-matrix"] td', (tds) => tds.map((td) => Number(td.textContent)))
    expect(cells).toHaveLength(9)
    expect(cells.reduce((a, b) => a + b, 0)).toBe(150)
    await h.shot('trained')
  })
})
