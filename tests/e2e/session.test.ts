/**
 * A student's session, third pass, in Chromium against the real lab: the last data the student
 * asked for is the data shown, however the lab's answers cross; the nn.Module step view writes
 * its loss and its update with the batch's numbers, as `lab step --json` records them.
 */
import { describe, expect, it } from 'vitest'
import type { StepTrace } from '../../src/shared/learning'
import { useLab } from '../helpers/browser'
import { runLab } from '../helpers/cli'
import { tempDir } from '../helpers/lab'

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

  it('writes the nn.Module loop’s loss with the batch’s targets and its update as lr × gradient, with the numbers of lab step --json', async () => {
    const { page, shot } = lab()
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-dataloader"]')
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')
    await page.click('[data-testid="tab-step"]')
    await page.selectOption('[data-testid="step-mode"]', 'module')
    await page.click('[data-testid="step-begin"]')
    await page.click('[data-testid="phase-loss"]')
    // the lecture's run on the command line: the same first batch
    const cli = await runLab(['step', '--steps', '1', '--json'], { settingsDir: tempDir('torchlab-e2e-cli-') })
    expect(cli.code).toBe(0)
    const trace = JSON.parse(cli.stdout) as StepTrace
    const [first] = trace.steps
    const n = (v: number) => String(Number(v.toPrecision(6)))
    expect(await text('value-y_batch')).toBe(`[${first.targets.map(n).join(', ')}]`)
    const formulas = () => page.locator('[data-testid="phase-formula"]').allTextContents()
    expect((await formulas())[0]).toMatch(new RegExp(`^L = mean\\(\\(ŷ − y\\)²\\) = .*\\) / 2 = ${n(first.loss).replace('.', '\\.')}$`))
    await shot('module-loss')
    await page.click('[data-testid="phase-step"]')
    const w0 = (trace.initial['linear.weight'] as number[][])[0][0]
    const g = (first.grads['linear.weight'] as number[][])[0][0]
    const w1 = (first.params['linear.weight'] as number[][])[0][0]
    expect(await formulas()).toContain(`linear.weight ← linear.weight − lr·linear.weight.grad = ${n(w0)} − 0.02·(${n(g)}) = ${n(w1)}`)
    await shot('module-step')
  })

  it('fits the lessons at 800×600: checks in rows a line high, badges in one piece, Python lines unbroken and scrolled sideways', async () => {
    const { page, shot } = lab()
    await page.setViewportSize({ width: 800, height: 600 })
    const ids = await page.$$eval('[data-testid^="lesson-"][data-testid]', (els) => els.map((e) => e.getAttribute('data-testid')!))
    const lessons = ids.filter((id) => !['lesson-list', 'lesson-path', 'lesson-open', 'lesson', 'lesson-title', 'lesson-code', 'lesson-check', 'lesson-checks', 'lesson-tasks', 'lesson-result'].includes(id)).map((id) => id.slice('lesson-'.length))
    expect(lessons).toContain('grid-search')
    await page.evaluate((list) => (window as unknown as { lab: { updateSettings(s: object): Promise<unknown> } }).lab.updateSettings({ lessonProgress: Object.fromEntries(list.map((id) => [id, { passed: true, checkedAt: '2026-11-28T22:00:00Z' }])) }), lessons)
    // the list reads the progress as it opens
    await page.click('[data-testid="tab-step"]')
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-dataloader"]')
    await page.click('[data-testid="lesson-check"]')
    await page.waitForSelector('[data-testid="check-2"]', { timeout: 60_000 })
    await page.waitForTimeout(200)
    await shot('lessons-800')
    const lineHeight = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('[data-testid="lesson-checks"] td')!).lineHeight) || 20)
    for (const row of await page.locator('[data-testid^="check-"]').all()) expect((await row.boundingBox())!.height).toBeLessThan(2 * lineHeight + 8)
    for (const id of lessons) expect((await page.locator(`[data-testid="progress-${id}"]`).boundingBox())!.height, id).toBeLessThan(1.6 * lineHeight)
    const code = () =>
      page.evaluate(() => {
        const pre = document.querySelector('[data-testid="lesson-code"]')!
        const heights = [...pre.querySelectorAll('.line')].map((l) => l.getBoundingClientRect().height)
        return { tallest: Math.max(...heights), shortest: Math.min(...heights), scrolls: pre.scrollWidth > pre.clientWidth }
      })
    const at800 = await code()
    expect(at800.tallest).toBeLessThan(1.5 * at800.shortest)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
    // narrower than its longest line (the DataLoader's), the box scrolls rather than break a line in two
    await page.setViewportSize({ width: 520, height: 600 })
    await page.waitForTimeout(200)
    const narrow = await code()
    expect(narrow.scrolls).toBe(true)
    expect(narrow.tallest).toBeLessThan(1.5 * narrow.shortest)
    await page.setViewportSize({ width: 1440, height: 1000 })
  })
})
