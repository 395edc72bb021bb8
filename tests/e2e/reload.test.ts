/**
 * A window that starts afresh while the lab goes on: a reload (Ctrl+R, or a renderer that
 * crashed and came back) or a second tab, in Chromium against the real lab. What the lab is
 * training or searching stays in reach: its progress, its results so far, its Pause and Cancel.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { expect, it } from 'vitest'
import { chooseCourseData, countRequests, useLab } from '../helpers/browser'
import { RESOURCES, ROOT, tempDir } from '../helpers/lab'

const lab = useLab('reload')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)

/**
 * The course's data searched over hidden sizes 64x64 for 20,000 epochs a fold with batches of
 * one row: minutes of fits, so the search is still running whatever the test does meanwhile.
 */
async function startLongSearch(page = lab().page): Promise<void> {
  await chooseCourseData(page)
  await page.fill('[data-testid="grid-lr"]', '0.001, 0.002')
  await page.fill('[data-testid="grid-epochs"]', '20000')
  await page.fill('[data-testid="grid-hidden"]', '64x64')
  await page.getByLabel('batch size', { exact: true }).last().fill('1')
  await expect.poll(() => page.textContent('[data-testid="fit-count"]')).toContain('2 settings × 3 folds = 6 fits')
  await page.click('[data-testid="search-start"]')
  await expect.poll(() => page.textContent('[data-testid="search-status"]'), { timeout: 30_000 }).toMatch(/^running · 0 \/ 6 fits/)
}

/** the course's data and model, started at `speed` epochs a second for `epochs` epochs */
async function startCourseRun(speed: string, epochs: string, page = lab().page): Promise<void> {
  await chooseCourseData(page)
  await page.click('[data-testid="preset-linear"]')
  await page.selectOption('[data-testid="speed"]', speed)
  await page.fill('[data-testid="epochs"]', epochs)
  await page.click('[data-testid="start"]')
}

it('takes up a search still running after a reload: its settings, its progress and a Cancel that ends it', async () => {
  const { page, shot } = lab()
  await startLongSearch()
  await page.reload()
  await page.waitForSelector('main[data-ready="true"]')
  // the window shows the search the lab is running, as it was asked for, and no second one can start over it
  await expect.poll(() => text('search-status'), { timeout: 10_000 }).toMatch(/^running · \d \/ 6 fits/)
  expect(await page.inputValue('[data-testid="grid-lr"]')).toBe('0.001, 0.002')
  expect(await page.inputValue('[data-testid="grid-hidden"]')).toBe('64x64')
  expect(await page.inputValue('[data-testid="grid-epochs"]')).toBe('20000')
  expect(await page.getByLabel('batch size', { exact: true }).last().inputValue()).toBe('1')
  expect(await page.isDisabled('[data-testid="search-start"]')).toBe(true)
  await page.locator('[data-testid="search-panel"]').scrollIntoViewIfNeeded()
  await shot('search-after-reload')
  await page.click('[data-testid="search-cancel"]')
  await expect.poll(() => text('search-status'), { timeout: 30_000 }).toMatch(/^cancelled/)
  expect(await page.isEnabled('[data-testid="search-start"]')).toBe(true)
})

/** the number of times the chart `testid` was drawn, and the points of its first trace */
const chart = (testid: string) =>
  lab().page.evaluate((id) => {
    const element = document.querySelector(`[data-testid="${id}"]`) as (HTMLElement & { data?: { x: unknown[] }[] }) | null
    return { draws: Number(element?.dataset.draws ?? 0), points: element?.data?.[0]?.x.length ?? 0 }
  }, testid)

it('shows a paused run after a reload with its curves, and does not redraw them while it stays paused', async () => {
  const { page, shot } = lab()
  await startCourseRun('10', '1000')
  await expect.poll(() => text('progress'), { timeout: 30_000 }).toMatch(/epoch ([3-9]|\d\d+) \//)
  await page.click('[data-testid="pause"]')
  await expect.poll(() => text('run-status')).toBe('paused')
  await page.reload()
  await page.waitForSelector('main[data-ready="true"]')
  await expect.poll(() => text('run-status'), { timeout: 10_000 }).toBe('paused')
  for (const plot of ['loss-plot', 'weight-plot', 'bias-plot']) await expect.poll(async () => (await chart(plot)).points, { timeout: 20_000 }).toBeGreaterThan(2)
  await shot('paused-after-reload')
  // the window keeps pulling the paused run (a Resume from another window shows at once), but a pull that brings nothing new redraws nothing
  const sent = await countRequests(page)
  const pulls = async (n: number) => expect.poll(() => sent('getRunSnapshot'), { timeout: 30_000 }).toBeGreaterThan(n)
  // a draw asked for by the snapshots that brought the curves has had its turn by then
  await pulls(30)
  const before = await chart('loss-plot')
  await pulls(60)
  expect((await chart('loss-plot')).draws).toBe(before.draws)
  await page.click('[data-testid="stop"]')
  await expect.poll(() => text('run-status'), { timeout: 30_000 }).toBe('stopped')
})

it('takes up in a window already open the run and the search a second window starts, and its Pause and Cancel reach them', async () => {
  const { page, url } = lab()
  const rowsBefore = await page.locator('[data-testid="run-row"]').count()
  const second = await page.context().browser()!.newPage({ viewport: { width: 1440, height: 1000 } })
  try {
    await second.goto(url)
    await second.waitForSelector('main[data-ready="true"]')
    await startCourseRun('10', '1000', second)
    const secondStatus = () => second.textContent('[data-testid="run-status"]')
    await expect.poll(secondStatus, { timeout: 30_000 }).toBe('running')
    // the first window, idle, shows the run the second started, once, with a Pause that pauses it there too
    await expect.poll(() => text('run-status'), { timeout: 10_000 }).toBe('running')
    expect(await text('progress')).toMatch(/epoch \d+ \/ 1000/)
    await page.click('[data-testid="pause"]')
    await expect.poll(secondStatus, { timeout: 10_000 }).toBe('paused')
    await second.click('[data-testid="stop"]')
    await expect.poll(() => text('run-status'), { timeout: 30_000 }).toBe('stopped')
    expect(await page.locator('[data-testid="run-row"]').count()).toBe(rowsBefore + 1)

    await startLongSearch(second)
    await expect.poll(() => text('search-status'), { timeout: 30_000 }).toMatch(/^running · \d \/ 6 fits/)
    expect(await page.isDisabled('[data-testid="search-start"]')).toBe(true)
    await page.click('[data-testid="search-cancel"]')
    await expect.poll(() => second.textContent('[data-testid="search-status"]'), { timeout: 30_000 }).toMatch(/^cancelled/)
  } finally {
    await second.close()
  }
})

it('keeps the runs that finished after a reload: their row, their metrics, and a Save that writes the run', async () => {
  const { page, shot } = lab()
  await startCourseRun('250', '100')
  await expect.poll(() => text('run-status'), { timeout: 60_000 }).toBe('completed')
  await expect.poll(() => text('r2'), { timeout: 30_000 }).toMatch(/\d/)
  const r2 = await text('r2')
  // the course's linear model computes alike in train and eval mode: nothing to explain
  expect(await page.$('[data-testid="eval-mode-note"]')).toBeNull()
  const rows = await page.locator('[data-testid="run-row"]').count()
  await page.reload()
  await page.waitForSelector('main[data-ready="true"]')
  // the runs table as it was, the newest run shown with the same metrics
  await expect.poll(() => page.locator('[data-testid="run-row"]').count(), { timeout: 20_000 }).toBe(rows)
  await expect.poll(() => text('r2'), { timeout: 30_000 }).toBe(r2)
  expect(await text('run-status')).toBe('completed')
  await page.locator('[data-testid="evaluate-panel"], section[aria-labelledby="evaluate-title"]').first().scrollIntoViewIfNeeded()
  await shot('finished-after-reload')
  const path = join(tempDir('torchlab-e2e-reload-'), 'after-reload.pth')
  await page.fill('[data-testid="save-path"]', path)
  await page.click('[data-testid="save"]')
  await expect.poll(() => text('files-message'), { timeout: 30_000 }).toMatch(/^Saved .*after-reload\.pth/)
  expect(existsSync(path)).toBe(true)
})

it('says the full path of a .pth saved under a relative name, and of the script exported from it', async () => {
  const { page } = lab()
  // a relative name is resolved in the lab's working folder (the server's, here the repository): the student is told where that is
  const dir = tempDir('torchlab-e2e-relative-')
  await page.fill('[data-testid="save-path"]', relative(ROOT, join(dir, 'relative.pth')))
  await page.click('[data-testid="save"]')
  await expect.poll(() => text('files-message'), { timeout: 30_000 }).toMatch(/^Saved /)
  expect(await text('files-message')).toMatch(new RegExp(`^Saved ${join(dir, 'relative.pth')} \\(\\d`))
  await page.fill('[data-testid="export-path"]', relative(ROOT, join(dir, 'relative.py')))
  await page.click('[data-testid="export"]')
  await expect.poll(() => text('files-message'), { timeout: 30_000 }).toBe(`Wrote ${join(dir, 'relative.py')}: run it with python3.`)
})

it('shows a lesson check still running after a reload as Checking…, its report when it ends, and starts no second check', async () => {
  const { page, shot } = lab()
  // the DataLoader lesson with 256 hidden units for 20,000 epochs: a check that lasts through a reload (some 10 s on an idle machine)
  const lesson = JSON.parse(readFileSync(join(RESOURCES, 'lessons', '05-dataloader.json'), 'utf8')) as { setup: { train: object } }
  const long = {
    ...lesson,
    id: 'long-dataloader',
    title: 'A long DataLoader check',
    setup: { ...lesson.setup, model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 256 }, { kind: 'ReLU' }, { kind: 'Linear' }] }, train: { ...lesson.setup.train, epochs: 20_000 } },
    checks: [{ label: 'the mean loss of the last epoch is below 100', value: 'reference.final_loss', near: 0, within: 100 }],
  }
  const path = join(tempDir('torchlab-e2e-lesson-'), 'long.json')
  writeFileSync(path, JSON.stringify(long))
  await page.click('[data-testid="tab-lessons"]')
  await page.fill('[data-testid="lesson-path"]', path)
  await page.click('[data-testid="lesson-open"]')
  await expect.poll(() => text('lesson-title')).toBe('A long DataLoader check')
  await page.click('[data-testid="lesson-check"]')
  await expect.poll(() => text('lesson-check')).toBe('Checking…')
  await page.reload()
  await page.waitForSelector('main[data-ready="true"]')
  await expect.poll(() => text('lesson-title'), { timeout: 20_000 }).toBe('A long DataLoader check')
  expect(await text('lesson-check')).toBe('Checking…')
  expect(await page.isDisabled('[data-testid="lesson-check"]')).toBe(true)
  await page.locator('[data-testid="lesson"]').scrollIntoViewIfNeeded()
  await shot('checking-after-reload')
  await expect.poll(() => text('lesson-result'), { timeout: 300_000 }).toMatch(/checks/)
  expect(await text('lesson-check')).toBe('Run the checks')
}, 600_000)
