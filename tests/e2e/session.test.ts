/**
 * A student's session, third pass, in Chromium against the real lab: the last data the student
 * asked for is the data shown, however the lab's answers cross; the nn.Module step view writes
 * its loss and its update with the batch's numbers, as `lab step --json` records them.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StepTrace } from '../../src/shared/learning'
import { openCsv, useLab } from '../helpers/browser'
import { runLab } from '../helpers/cli'
import { tempDir } from '../helpers/lab'

const lab = useLab('session')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)

/** a run of the form's settings for `epochs` epochs, as fast as it goes, followed to its end */
async function runToEnd(epochs: number): Promise<void> {
  const { page } = lab()
  await page.fill('[data-testid="epochs"]', String(epochs))
  await page.selectOption('[data-testid="speed"]', { index: (await page.locator('[data-testid="speed"] option').count()) - 1 })
  await page.click('[data-testid="start"]')
  await expect.poll(() => text('run-status'), { timeout: 60_000 }).toBe('completed')
}

interface LowContrast {
  text: string
  ratio: number
  color: string
  testid?: string
}

/**
 * Every visible text of the page whose contrast with the colour under it (backgrounds composed
 * up the tree, opacity included) is below WCAG AA: 4.5:1, or 3:1 for large or bold 14px text.
 * Disabled controls are exempt, as WCAG exempts them.
 */
const LOW_CONTRAST = `(() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 } }
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b) }
  const over = (top, under) => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1 })
  const under = (el) => {
    const stack = []
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0) { stack.push(c); if (c.a >= 1) break } }
    let acc = { r: 255, g: 255, b: 255, a: 1 }
    for (let i = stack.length - 1; i >= 0; i--) acc = over(stack[i], acc)
    return acc
  }
  const low = []
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent || ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue
    if (el.closest('button:disabled, input:disabled, select:disabled')) continue
    const s = getComputedStyle(el)
    let opacity = 1
    for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity)
    const bg = under(el)
    const fg = parse(s.color)
    const [a, b] = [lum(over({ ...fg, a: fg.a * opacity }, bg)), lum(bg)].sort((x, y) => y - x)
    const ratio = (a + 0.05) / (b + 0.05)
    const size = parseFloat(s.fontSize)
    const large = size >= 18.66 || (size >= 14 && Number(s.fontWeight) >= 700)
    if (ratio < (large ? 3 : 4.5)) low.push({ text: el.textContent.trim().slice(0, 40), ratio: Math.round(ratio * 100) / 100, color: s.color, testid: el.closest('[data-testid]')?.getAttribute('data-testid') ?? undefined })
  }
  return low
})()`

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
    await page.getByRole('button', { name: 'Iris', exact: true }).click()
    await expect.poll(() => text('data-summary')).toContain('species')
    await page.waitForTimeout(2500)
    await shot('lesson-then-iris')
    expect(await text('data-summary')).toContain('→ species')
    expect(await page.inputValue('[data-testid="role-species"]')).toBe('target')
    expect(await page.inputValue('[data-testid="loss"]')).toBe('CrossEntropyLoss')

    // the lesson itself arrives after the click on Iris: its data does not replace the student's choice either
    await page.getByRole('button', { name: 'Cars (mtcars)', exact: true }).click()
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')
    await holdNext('getLesson', 1500)
    await page.click('[data-testid="lesson-from-scratch"]')
    await page.getByRole('button', { name: 'Iris', exact: true }).click()
    await expect.poll(() => text('lesson-title'), { timeout: 5_000 }).toBe('Linear regression from scratch')
    await page.waitForTimeout(1000)
    expect(await text('data-summary')).toContain('→ species')
    expect(await page.inputValue('[data-testid="role-species"]')).toBe('target')

    // the lesson's file is read, and its summary is still being made when the student clicks Iris
    await page.getByRole('button', { name: 'Cars (mtcars)', exact: true }).click()
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')
    await holdNext('prepareDataset', 1500)
    await page.click('[data-testid="lesson-model-class"]')
    await page.waitForSelector('[data-testid="role-wt"]')
    await page.getByRole('button', { name: 'Iris', exact: true }).click()
    await page.waitForTimeout(2500)
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
    await page.click('[data-testid="tab-lessons"]')
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

  it('says what is wrong with a grid in the window’s words, and drops a refusal once the grid is edited', async () => {
    const { page } = lab()
    await page.getByRole('button', { name: 'Cars (mtcars)', exact: true }).click()
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')
    await page.fill('[data-testid="grid-hidden"]', '16x')
    const alert = page.locator('[data-testid="search-panel"] [role="alert"]')
    await expect.poll(() => alert.textContent()).toContain('Hidden sizes are layer widths such as 16, or 16x16 for two hidden layers; "16x" is not one.')
    // the window has no --grid flag to fix
    expect(await alert.textContent()).not.toContain('--grid')
    await page.fill('[data-testid="grid-hidden"]', '')
    // refused as it is typed, in the sentence Start would give, and Start waits for a grid it can run
    await page.fill('[data-testid="grid-epochs"]', '0, 10')
    await expect.poll(() => text('search-problem')).toContain('Epochs must be at least 1.')
    expect(await page.isEnabled('[data-testid="search-start"]')).toBe(false)
    await page.fill('[data-testid="grid-epochs"]', '5, 10')
    expect(await page.locator('[data-testid="search-problem"]').count()).toBe(0)
    // a classifier's loss on the course's regression: the losses that do train it
    await page.fill('[data-testid="grid-loss"]', 'CrossEntropyLoss')
    await page.click('[data-testid="search-start"]')
    await expect
      .poll(() => text('search-error'))
      .toBe("The grid's CrossEntropyLoss trains a multiclass model, and mpg is trained here as regression: search only losses for regression (MSELoss, L1Loss, HuberLoss, SmoothL1Loss).")
    await page.fill('[data-testid="grid-loss"]', '')
    await page.fill('[data-testid="grid-epochs"]', '10, 200, 500')
  })

  it('reads in both themes: every text at WCAG AA contrast, with a trained classifier, a search and a lesson on screen', async () => {
    const { page, shot } = lab()
    await page.getByRole('button', { name: 'Iris', exact: true }).click()
    await expect.poll(() => text('data-summary')).toContain('species')
    await runToEnd(20)
    await page.waitForSelector('[data-testid="confusion-matrix"]')
    await page.fill('[data-testid="grid-lr"]', '0.02, 0.05')
    await page.fill('[data-testid="grid-epochs"]', '5, 10')
    await page.click('[data-testid="search-start"]')
    await expect.poll(() => text('search-status'), { timeout: 60_000 }).toContain('completed')
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-batches"]')
    await page.click('[data-testid="lesson-check"]')
    await page.waitForSelector('[data-testid="progress-batches"]', { timeout: 60_000 })
    // the header's button goes system → dark → light → system
    for (const theme of ['dark', 'light', 'system']) {
      await page.click('[data-testid="theme"]')
      await expect.poll(() => text('theme')).toBe(`theme: ${theme}`)
      if (theme === 'system') break
      await page.waitForTimeout(200)
      await shot(`theme-${theme}`)
      expect((await page.evaluate(LOW_CONTRAST)) as LowContrast[], theme).toEqual([])
    }
    await page.fill('[data-testid="grid-lr"]', '0.02, 0.05, 0.08')
    await page.fill('[data-testid="grid-epochs"]', '10, 200, 500')
  })

  it('regresses a file’s number target after a classifier set: the loss follows the target the student picks, and the run is measured as a regression', async () => {
    const { page, shot } = lab()
    await page.getByRole('button', { name: 'Iris', exact: true }).click()
    await expect.poll(() => page.inputValue('[data-testid="loss"]')).toBe('CrossEntropyLoss')
    // 24 rows of y = 3x + 0.05z with measurements, two cells of x and one of z missing
    const lines = ['x,z,y', ...Array.from({ length: 24 }, (_, i) => `${i === 3 || i === 7 ? '' : (i * 0.37).toFixed(2)},${i === 5 ? 'NA' : 100 + i * 3.1},${(3 * i * 0.37 + 0.05 * (100 + i * 3.1) + 0.013 * i).toFixed(3)}`)]
    const file = join(tempDir('torchlab-e2e-csv-'), 'measured.csv')
    writeFileSync(file, lines.join('\n') + '\n')
    await openCsv(page, file, { rows: 24, features: ['x', 'z'], target: 'y' })
    expect(await text('data-summary')).toContain('x, z → y · regression')
    expect(await page.inputValue('[data-testid="loss"]')).toBe('MSELoss')
    // the course's model first: its preset puts back the lecture's preparation (rows with missing values dropped, nothing scaled)
    await page.click('[data-testid="preset-linear"]')
    await page.locator('fieldset[aria-label="Preparation"] select').selectOption('mean')
    await page.locator('fieldset[aria-label="Preparation"] input[type="checkbox"]').check()
    await expect.poll(() => text('data-summary')).toContain('Filled 2 in "x", 1 in "z" with the training mean.')
    await runToEnd(30)
    await page.waitForSelector('[data-testid="r2"]')
    await shot('file-regression')
    expect(await page.locator('[data-testid="accuracy"]').count()).toBe(0)
    // weights of standardized features are per standard deviation: the table says so
    expect(await page.locator('[data-testid="weights-vs-ols"] thead').textContent()).toContain('weight · x (standardized)')
  })
})
