/**
 * What a student clicking through the window hit, in Chromium against the real lab: a double
 * click that started two runs (or two searches), a Pause that did nothing while the run was
 * starting, a progress line that read the form's epochs, a "+ layer" that broke the model, pages
 * wider than a small window, unreadable lesson code, a legend over the loss chart's title,
 * empty file boxes answered in a schema's words, a reload that left a run training out of reach,
 * a finished run's plots redrawn with the data and model the form moved on to, and a columns
 * table whose first row filled its box.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { chooseCourseData, countRequests, useLab } from '../helpers/browser'

const lab = useLab('student')

const status = () => lab().page.textContent('[data-testid="run-status"]')
const runRows = () => lab().page.locator('[data-testid="run-row"]').count()

/** the lecture's data and model, at ten epochs a second: a run that lasts long enough to click on */
async function slowCourseRun(): Promise<void> {
  const { page } = lab()
  await chooseCourseData(page)
  await page.click('[data-testid="preset-linear"]')
  await page.selectOption('[data-testid="speed"]', '10')
  await page.fill('[data-testid="epochs"]', '1000')
}

async function stopRun(): Promise<void> {
  const { page } = lab()
  await page.click('[data-testid="stop"]')
  await expect.poll(status, { timeout: 30_000 }).toBe('stopped')
}

/** the rectangle of the first element matching `selector` inside the chart `testid` */
const boxIn = (testid: string, selector: string) =>
  lab().page.evaluate(
    ([id, sel]) => {
      const r = document.querySelector(`[data-testid="${id}"] ${sel}`)?.getBoundingClientRect()
      return r ? { left: r.left, right: r.right, top: r.top, bottom: r.bottom } : null
    },
    [testid, selector] as const,
  )

describe('a student clicking through the window', () => {
  // each test starts with no run going and the window at its size, whatever the one before left
  beforeEach(async () => {
    const { page } = lab()
    await page.setViewportSize({ width: 1440, height: 1000 })
    if (await page.isEnabled('[data-testid="stop"]')) await stopRun()
  })

  it('starts one run on a double click and pauses it even while it is still starting', async () => {
    const { page, shot } = lab()
    await slowCourseRun()
    await page.dblclick('[data-testid="start"]')
    await expect.poll(status, { timeout: 20_000 }).toBe('running')
    // a second run would train on unseen, with no Stop that reaches it
    expect(await runRows()).toBe(1)
    await stopRun()

    // Pause is offered from the moment the run shows; clicked then, it must act
    await page.evaluate(`new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        const shown = document.querySelector('[data-testid="run-status"]')
        if (shown && shown.textContent === 'starting' && document.querySelectorAll('[data-testid="run-row"]').length === 2) {
          observer.disconnect()
          document.querySelector('[data-testid="pause"]').click()
          resolve(undefined)
        }
      })
      observer.observe(document.querySelector('main'), { subtree: true, childList: true, characterData: true })
      document.querySelector('[data-testid="start"]').click()
    })`)
    await expect.poll(status, { timeout: 10_000 }).toBe('paused')
    await shot('paused-while-starting')
    await stopRun()
  })

  it('shows the epochs a run was started with, whatever the form says since', async () => {
    const { page } = lab()
    await slowCourseRun()
    await page.click('[data-testid="start"]')
    await expect.poll(status, { timeout: 20_000 }).toBe('running')
    await page.fill('[data-testid="epochs"]', '5')
    expect(await page.textContent('[data-testid="progress"]')).toMatch(/epoch \d+ \/ 1000/)
    await stopRun()
  })

  it('takes up a run still training after a reload, and stops it', async () => {
    const { page } = lab()
    await slowCourseRun()
    await page.click('[data-testid="start"]')
    await expect.poll(status, { timeout: 20_000 }).toBe('running')
    const rows = await runRows()
    await page.reload()
    await page.waitForSelector('main[data-ready="true"]')
    // the lab kept training it: the window shows it again, with its Stop, beside the runs that finished before it
    await expect.poll(status, { timeout: 10_000 }).toBe('running')
    expect(await page.textContent('[data-testid="progress"]')).toMatch(/epoch \d+ \/ 1000/)
    expect(await runRows()).toBe(rows)
    await stopRun()
  })

  it('adds a layer before the output layer, and offers no Start for a model that cannot be built', async () => {
    const { page } = lab()
    await chooseCourseData(page)
    await page.click('[data-testid="preset-mlp"]')
    const kinds = () =>
      page.$$eval('[data-testid^="layer-kind-"]', (els) => els.map((e) => (e as HTMLSelectElement).value))
    const before = await kinds()
    await page.selectOption('[data-testid="add-kind"]', 'Linear')
    await page.click('[data-testid="add-layer"]')
    expect(await kinds()).toEqual([...before.slice(0, -1), 'Linear', 'Linear'])
    expect(await page.inputValue(`[data-testid="units-${before.length}"]`)).toBe('')
    expect(await page.locator('[data-testid="builder-errors"]').count()).toBe(0)
    expect(await page.isEnabled('[data-testid="start"]')).toBe(true)

    // the output layer given a width the data does not have: the sentence, and no Start to click
    await page.fill(`[data-testid="units-${before.length}"]`, '16')
    await expect
      .poll(() => page.textContent('[data-testid="builder-errors"]'))
      .toContain("Leave the last Linear's out_features empty")
    expect(await page.isDisabled('[data-testid="start"]')).toBe(true)
    // beside Start too; Ctrl+Enter, which no disabled button stops, sends the lab nothing
    expect(await page.textContent('[data-testid="start-problem"]')).toContain("Leave the last Linear's out_features empty")
    const sent = await countRequests(lab().page)
    await page.keyboard.press('Control+Enter')
    expect(await sent('startTraining')).toBe(0)
    await page.click('[data-testid="preset-linear"]')
  })

  it('starts one search on a double click', async () => {
    const { page } = lab()
    await chooseCourseData(page)
    const sent = await countRequests(lab().page)
    await page.dblclick('[data-testid="search-start"]')
    await expect
      .poll(() => page.textContent('[data-testid="search-status"]'), { timeout: 60_000 })
      .toContain('completed')
    expect(await sent('startSearch')).toBe(1)
    expect(await page.locator('[data-testid="search-error"]').count()).toBe(0)
  })

  it('keeps the loss chart legend off its title and inside the chart with two runs', async () => {
    const { page, shot } = lab()
    await chooseCourseData(page)
    await page.click('[data-testid="preset-linear"]')
    await page.selectOption('[data-testid="speed"]', {
      index: (await page.locator('[data-testid="speed"] option').count()) - 1,
    })
    for (let i = 0; i < 2; i++) {
      await page.click('[data-testid="start"]')
      await expect.poll(status, { timeout: 30_000 }).toBe('completed')
    }
    await expect.poll(() => boxIn('loss-plot', '.legend'), { timeout: 5_000 }).not.toBeNull()
    await page.waitForTimeout(400)
    const chart = (await boxIn('loss-plot', '.main-svg'))!
    const legend = (await boxIn('loss-plot', '.legend'))!
    const title = (await boxIn('loss-plot', '.gtitle'))!
    await shot('two-runs-legend')
    expect(legend.left).toBeGreaterThanOrEqual(chart.left)
    expect(legend.right).toBeLessThanOrEqual(chart.right + 1)
    const overlap =
      legend.left < title.right && title.left < legend.right && legend.top < title.bottom && title.top < legend.bottom
    expect(overlap).toBe(false)
  })

  it('keeps showing a finished run on its own data and model when the student picks other data and another model', async () => {
    const { page, shot } = lab()
    await chooseCourseData(page)
    await page.click('[data-testid="preset-linear"]')
    await page.selectOption('[data-testid="speed"]', {
      index: (await page.locator('[data-testid="speed"] option').count()) - 1,
    })
    await page.click('[data-testid="start"]')
    await expect.poll(status, { timeout: 30_000 }).toBe('completed')
    await page.getByRole('button', { name: 'Iris' }).click()
    await page.click('[data-testid="preset-mlp"]')
    await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('species')
    // plots redraw at most 5 times a second
    await page.waitForTimeout(500)
    const axes = await page.evaluate(() => {
      const el = document.querySelector('[data-testid="fit-plot"]') as
        (HTMLElement & { layout?: { title?: { text?: string }; xaxis?: { title?: { text?: string } } } }) | null
      return { title: el?.layout?.title?.text, x: el?.layout?.xaxis?.title?.text }
    })
    await shot('run-after-other-data')
    expect(axes).toEqual({ title: 'The fitted line', x: 'wt' })
    expect(await page.locator('[data-testid="weight-plot"]').count()).toBe(1)
    await page.click('[data-testid="preset-linear"]')
  })

  it('answers an empty file box with a sentence, and offers no Open for it', async () => {
    const { page } = lab()
    await page.fill('[data-testid="open-path"]', '')
    expect(await page.isDisabled('[data-testid="open"]')).toBe(true)
    await page.locator('body').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('Control+o')
    await expect.poll(() => page.textContent('[data-testid="files-error"]')).toContain('Write the path of a .pth file')
    expect(await page.textContent('[data-testid="files-error"]')).not.toMatch(/Too small|expected string/)
  })

  it('shows the lesson code in lines a student can read, the autograd graph under its button, the course’s columns in view at 1024 wide, and fits 800×600 without a sideways scroll', async () => {
    const { page, shot } = lab()
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-from-scratch"]')
    await page.click('[data-testid="lesson-check"]')
    await page.waitForSelector('[data-testid="lesson-checks"]')
    const code = await page.locator('[data-testid="lesson-code"]').boundingBox()
    // "y_pred = X[i] * w + b # forward" and its like, unbroken: about 40 characters of 12px monospace
    expect(code!.width).toBeGreaterThan(300)

    // the autograd graph below its button, not beside it
    await page.click('[data-testid="tab-graph"]')
    await page.click('[data-testid="graph-load"]')
    await page.waitForSelector('[data-testid="grad-node"]')
    const button = (await page.locator('[data-testid="graph-load"]').boundingBox())!
    const graph = (await page.locator('[data-testid="autograd-graph"]').boundingBox())!
    expect(graph.y).toBeGreaterThanOrEqual(button.y + button.height)

    // at 1024 wide, the columns box shows the course's feature without scrolling inside it
    await page.setViewportSize({ width: 1024, height: 640 })
    await chooseCourseData(page)
    const box = (await page.locator('[data-testid="columns"]').locator('xpath=..').boundingBox())!
    const wt = (await page.locator('[data-testid="role-wt"]').boundingBox())!
    expect(wt.y + wt.height).toBeLessThanOrEqual(box.y + box.height)

    await page.setViewportSize({ width: 800, height: 600 })
    await page.waitForTimeout(300)
    await shot('800x600')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800)
    await page.setViewportSize({ width: 1440, height: 1000 })
  })
})
