/**
 * A student's session, third pass, in Chromium against the real lab: the last data the student
 * asked for is the data shown, however the lab's answers cross.
 */
import { describe, expect, it } from 'vitest'
import { useLab } from '../helpers/browser'

const lab = useLab('session')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)

/**
 * Holds back the next request to the lab with this method for `ms`: the lab's answer to it
 * arrives after the answers to whatever the student asks meanwhile, as on a busy machine.
 */
async function holdNext(method: string, ms: number): Promise<void> {
  await lab().page.evaluate(
    ([m, wait]) => {
      const w = window as unknown as { held?: { method: string; ms: number }[] }
      if (!w.held) {
        w.held = []
        const send = WebSocket.prototype.send
        WebSocket.prototype.send = function (this: WebSocket, data: string) {
          const at = typeof data === 'string' ? w.held!.findIndex((h) => h.method === (JSON.parse(data) as { method: string }).method) : -1
          if (at < 0) return send.call(this, data)
          const [{ ms: delay }] = w.held!.splice(at, 1)
          setTimeout(() => send.call(this, data), delay)
        }
      }
      w.held.push({ method: m, ms: wait })
    },
    [method, ms] as const,
  )
}

describe('a student’s session', () => {
  it('shows the data chosen last when a lesson opened just before reads its own data set after it', async () => {
    const { page, shot } = lab()
    await page.click('[data-testid="tab-lessons"]')
    // the lesson's data set is read after the student's click on Iris
    await holdNext('inspectCsv', 1500)
    await page.click('[data-testid="lesson-dataloader"]')
    await expect.poll(() => text('lesson-title')).toBe('Dataset and DataLoader')
    await page.getByRole('button', { name: 'Iris' }).click()
    await expect.poll(() => text('data-summary')).toContain('species')
    await page.waitForTimeout(2500)
    await shot('lesson-then-iris')
    expect(await text('data-summary')).toContain('→ species')
    expect(await page.inputValue('[data-testid="role-species"]')).toBe('target')
    expect(await page.inputValue('[data-testid="loss"]')).toBe('CrossEntropyLoss')

    // the lesson itself arrives after the click on Iris: its data does not replace the student's choice either
    await page.getByRole('button', { name: 'Cars (mtcars)' }).click()
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')
    await holdNext('getLesson', 1500)
    await page.click('[data-testid="lesson-from-scratch"]')
    await page.getByRole('button', { name: 'Iris' }).click()
    await expect.poll(() => text('lesson-title'), { timeout: 5_000 }).toBe('Linear regression from scratch')
    await page.waitForTimeout(1000)
    expect(await text('data-summary')).toContain('→ species')
    expect(await page.inputValue('[data-testid="role-species"]')).toBe('target')
  })
})
