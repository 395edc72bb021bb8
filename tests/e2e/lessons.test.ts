/**
 * A student following the course lesson by lesson in the window, in Chromium against the real
 * lab, with the wrong inputs, double clicks and small windows a class produces.
 */
import { expect, it } from 'vitest'
import { countRequests, useLab } from '../helpers/browser'

const lab = useLab('lessons')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)

it('says beside Start why it cannot start, and stops saying it once the field is fixed', async () => {
  const { page, shot } = lab()
  await page.setViewportSize({ width: 1024, height: 640 })
  await page.click('[data-testid="lesson-learning-rate"]')
  await expect.poll(() => text('lesson-title')).toBe('Learning rate and epochs')
  await expect.poll(() => page.isEnabled('[data-testid="start"]')).toBe(true)
  await page.fill('[data-testid="lr"]', '-0.1')
  const train = page.locator('section:has([data-testid="start"])')
  // the sentence is where Start is, in view, not only in the Model panel below the fold
  await expect.poll(() => text('start-problem')).toBe('Learning rate must be at least 0.')
  expect(await page.isDisabled('[data-testid="start"]')).toBe(true)
  await page.locator('[data-testid="start-problem"]').scrollIntoViewIfNeeded()
  await shot('start-problem')
  // Ctrl+Enter, which no disabled button stops, sends the lab nothing and says the sentence once
  const sent = await countRequests(page)
  await page.keyboard.press('Control+Enter')
  expect(await sent('startTraining')).toBe(0)
  expect(await train.getByText('Learning rate must be at least 0.').count()).toBe(1)
  await page.fill('[data-testid="lr"]', '0.02')
  await expect.poll(() => page.isEnabled('[data-testid="start"]')).toBe(true)
  expect(await train.getByText('Learning rate must be at least 0.').count()).toBe(0)
  await page.setViewportSize({ width: 1440, height: 1000 })
})
