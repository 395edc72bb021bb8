/**
 * A student following the course lesson by lesson in the window, in Chromium against the real
 * lab, with the wrong inputs, double clicks and small windows a class produces.
 */
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { ARTIFACTS, countRequests, useLab } from '../helpers/browser'

const lab = useLab('lessons')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)

/** a bundled lesson opened from the Lessons tab, and a view of the Learning lab (`tab`) shown on it */
async function openLesson(id: string, title: string, tab?: string): Promise<void> {
  const { page } = lab()
  await page.click('[data-testid="tab-lessons"]')
  await page.click(`[data-testid="lesson-${id}"]`)
  await expect.poll(() => text('lesson-title')).toBe(title)
  if (tab) await page.click(`[data-testid="tab-${tab}"]`)
}

it('says beside Start why it cannot start, and stops saying it once the field is fixed', async () => {
  const { page, shot } = lab()
  await page.setViewportSize({ width: 1024, height: 640 })
  await openLesson('learning-rate', 'Learning rate and epochs')
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

it('lets the from-scratch loop run on a double click on "Let it run", and pauses it', async () => {
  const { page } = lab()
  await openLesson('from-scratch', 'Linear regression from scratch', 'step')
  await page.click('[data-testid="step-next"]')
  await expect.poll(() => text('step-where'), { timeout: 30_000 }).toMatch(/\(step 1\)/)
  // the second click of a double click landed on the Pause that replaced "Let it run": the loop stopped before it moved
  await page.dblclick('[data-testid="step-run"]')
  const stepShown = async () => Number(/\(step (\d+)/.exec((await text('step-where')) ?? '')?.[1])
  await expect.poll(stepShown, { timeout: 30_000 }).toBeGreaterThan(3)
  await page.click('[data-testid="step-pause"]')
  await expect.poll(() => page.isEnabled('[data-testid="step-run"]')).toBe(true)
  // paused at a step's first phase: Back goes to the last phase of the step before
  const paused = await stepShown()
  await page.click('[data-testid="step-prev"]')
  expect(await stepShown()).toBe(paused - 1)
  expect(await page.getAttribute('[data-testid="phase-view"]', 'data-phase')).toBe('zero_grad')
})

it('says only what is wrong with a batch size of 0 in the Batches view', async () => {
  const { page } = lab()
  await openLesson('batches', 'Batches', 'batches')
  await page.fill('[data-testid="batch-view-size"]', '0')
  await page.press('[data-testid="batch-view-size"]', 'Tab')
  // not also "Steps must be a number.": the steps are the view's own count, not the student's
  await expect.poll(() => text('batch-error')).toBe('Invalid step request. Batch size must be at least 1.')
  await page.fill('[data-testid="batch-view-size"]', '5')
  await page.press('[data-testid="batch-view-size"]', 'Tab')
  await expect.poll(() => text('batch-order')).toContain('[0, 1, 2, 3, 4][5, 6, 7, 8, 9]')
  expect(await page.locator('[data-testid="batch-error"]').count()).toBe(0)
})

it('lists the lessons inside the panel at 390 px wide, each lecture name under its title', async () => {
  const { page } = lab()
  await page.setViewportSize({ width: 390, height: 844 })
  await page.click('[data-testid="tab-lessons"]')
  const list = page.locator('[data-testid="lesson-list"]')
  await list.scrollIntoViewIfNeeded()
  const rows = await list.evaluate((ul) => {
    const edge = ul.getBoundingClientRect().right
    return [...ul.querySelectorAll('li')].map((li) => {
      const title = li.querySelector('button')!.getBoundingClientRect()
      const lecture = li.querySelector('.muted')!.getBoundingClientRect()
      return { past: Math.max(title.right, lecture.right) - edge, titleLeft: title.left, lectureLeft: lecture.left, below: lecture.top >= title.bottom - 1 }
    })
  })
  await list.screenshot({ path: join(ARTIFACTS, 'lessons', 'list-390.png') })
  expect(rows).toHaveLength(7)
  for (const row of rows) {
    expect(row.past).toBeLessThanOrEqual(0)
    expect(row.below).toBe(true)
    expect(Math.abs(row.lectureLeft - row.titleLeft)).toBeLessThan(2)
  }
  await page.setViewportSize({ width: 1440, height: 1000 })
})

it('names the learning-rate lesson\'s runs by the learning rate that tells them apart, readable in the runs table at 1024 wide', async () => {
  const { page } = lab()
  await page.setViewportSize({ width: 1024, height: 640 })
  await openLesson('learning-rate', 'Learning rate and epochs')
  await page.fill('[data-testid="epochs"]', '30')
  await page.selectOption('[data-testid="speed"]', { index: (await page.locator('[data-testid="speed"] option').count()) - 1 })
  const before = await page.locator('[data-testid="run-row"]').count()
  for (const [lr, end] of [['0.1', 'diverged'], ['0.02', 'completed']]) {
    await page.fill('[data-testid="lr"]', lr)
    await page.click('[data-testid="start"]')
    await expect.poll(() => text('run-status'), { timeout: 60_000 }).toBe(end)
  }
  const labels = await page.locator('[data-testid="run-select"]').evaluateAll((buttons) =>
    buttons.map((b) => ({ text: b.textContent, cut: (b.parentElement as HTMLElement).scrollWidth > (b.parentElement as HTMLElement).clientWidth + 1, title: b.getAttribute('title') })),
  )
  const ours = labels.slice(before)
  expect(ours.map((l) => l.text)).toEqual(['SGD lr 0.1', 'SGD lr 0.02'])
  expect(ours.some((l) => l.cut)).toBe(false)
  // the whole description stays a hover away
  expect(ours[0].title).toContain('cars: wt → mpg · linear · SGD lr 0.1 · batch 2')
  await page.setViewportSize({ width: 1440, height: 1000 })
})

it('keeps the runs and the search a lesson check trains to itself: the runs table and the Search panel stay the student\'s', async () => {
  const { page } = lab()
  await page.click('[data-testid="tab-lessons"]')
  const rows = await page.locator('[data-testid="run-row"]').count()
  const searches = await page.locator('[data-testid="search-status"]').count()
  for (const lesson of ['learning-rate', 'grid-search']) {
    await page.click(`[data-testid="lesson-${lesson}"]`)
    await expect.poll(() => page.locator('[data-testid="lesson-check"]').isEnabled()).toBe(true)
    await page.click('[data-testid="lesson-check"]')
    await expect.poll(() => text('lesson-result'), { timeout: 120_000 }).toBe('All checks pass.')
  }
  // a window takes up the runs another window starts; the check's reference runs are the lab's own, not another window's
  expect(await page.locator('[data-testid="run-row"]').count()).toBe(rows)
  expect(await page.locator('[data-testid="search-status"]').count()).toBe(searches)
  expect(await page.isEnabled('[data-testid="search-start"]')).toBe(true)
})

it('answers each setting the Loss landscape cannot walk with a sentence naming the field and where to change it', async () => {
  const { page, shot } = lab()
  await openLesson('learning-rate', 'Learning rate and epochs', 'landscape')
  await page.fill('[data-testid="landscape-lr"]', '-1')
  await page.click('[data-testid="landscape-load"]')
  await expect.poll(() => text('landscape-error')).toBe('Learning rate must be at least 0. Type the learning rate the path walks with beside "Walk the landscape", such as 0.02.')
  await page.locator('[data-testid="landscape-error"]').scrollIntoViewIfNeeded()
  await shot('landscape-lr-refused')
  await page.fill('[data-testid="landscape-lr"]', '0.02')
  await page.fill('[data-testid="batch-size"]', '0')
  await page.click('[data-testid="landscape-load"]')
  await expect.poll(() => text('landscape-error')).toBe('Batch size must be at least 1. Fix it in the Train panel.')
  await page.fill('[data-testid="batch-size"]', '2')
  await page.click('[data-testid="landscape-load"]')
  await page.waitForSelector('[data-testid="landscape"]')
  expect(await page.$('[data-testid="landscape-error"]')).toBeNull()
})

it("words a lesson's tasks with the window's controls, not the terminal's commands", async () => {
  const { page, shot } = lab()
  await openLesson('dataloader', 'Dataset and DataLoader')
  const tasks = await text('lesson-tasks')
  expect(tasks).toContain('Step through one epoch (Learning lab → Batches) and follow the batches')
  expect(tasks).not.toMatch(/\blab step\b/)
  await page.locator('[data-testid="lesson-tasks"]').scrollIntoViewIfNeeded()
  await shot('tasks-in-window-words')
})
