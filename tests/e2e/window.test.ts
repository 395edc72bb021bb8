/**
 * The window keeps pace with training: a 200,000-epoch run on the dense engine pauses and stops
 * on what is on screen, and what a session changes (theme, recent files, shuffle, split) is
 * remembered without leaking into the course preset.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { chooseCourseData, useLab } from '../helpers/browser'
import { tempDir } from '../helpers/lab'
import { SERIES_CAPACITY } from '../../src/shared/series'

const lab = useLab('window')

const status = () => lab().page.textContent('[data-testid="run-status"]')
const shownEpoch = async () => Number(/epoch (\d+)/.exec((await lab().page.textContent('[data-testid="progress"]')) ?? '')?.[1] ?? NaN)

/**
 * Clicks a button inside the page and returns the milliseconds until the run status reads
 * `expected`, watched with a MutationObserver (a string: tsx would wrap a function in a helper
 * the page lacks).
 */
async function clickUntilStatus(testid: string, expected: string): Promise<number> {
  return lab().page.evaluate(`new Promise((resolve) => {
    const status = document.querySelector('[data-testid="run-status"]')
    const t0 = performance.now()
    const observer = new MutationObserver(() => {
      if (status.textContent === ${JSON.stringify(expected)}) {
        observer.disconnect()
        resolve(performance.now() - t0)
      }
    })
    observer.observe(document.querySelector('[data-testid="progress"]'), { subtree: true, childList: true, characterData: true })
    document.querySelector('[data-testid="${testid}"]').click()
  })`) as Promise<number>
}

/** each test starts with no run going, whatever the one before left */
async function noRunGoing(): Promise<void> {
  const { page } = lab()
  if (await page.isEnabled('[data-testid="stop"]')) await page.click('[data-testid="stop"]')
  await expect.poll(() => page.isEnabled('[data-testid="start"]'), { timeout: 30_000 }).toBe(true)
}

describe('a window that keeps pace', () => {
  it('pauses a 200,000-epoch dense run within 300 ms of the click and holds still, then stops within 300 ms', async () => {
    const h = lab()
    const { page } = h
    await chooseCourseData(lab().page)
    await page.click('[data-testid="preset-linear"]')
    await page.fill('[data-testid="epochs"]', '200000')
    await page.selectOption('[data-testid="engine"]', 'dense')
    await page.selectOption('[data-testid="speed"]', { label: 'as fast as possible' })
    await page.click('[data-testid="start"]')
    await expect.poll(shownEpoch, { timeout: 30_000 }).toBeGreaterThan(5_000)

    const pauseMs = await clickUntilStatus('pause', 'paused')
    const atPause = await shownEpoch()
    expect(pauseMs).toBeLessThan(300)
    expect(atPause).toBeLessThan(200_000)
    await page.waitForTimeout(500)
    expect(await status()).toBe('paused')
    expect(await shownEpoch()).toBe(atPause)
    await h.shot('1-paused')

    await page.click('[data-testid="pause"]')
    await expect.poll(shownEpoch).toBeGreaterThan(atPause)
    const stopMs = await clickUntilStatus('stop', 'stopped')
    expect(stopMs).toBeLessThan(300)
    const atStop = await shownEpoch()
    expect(atStop).toBeLessThan(200_000)
    await page.waitForTimeout(300)
    expect(await shownEpoch()).toBe(atStop)
    // where the student reads the numbers, they are said to be of a run cut short
    // at an epoch's end, or (most often) between two of its batches: then at the step the weights are of
    const atStep = Number(/step (\d+)/.exec((await page.textContent('[data-testid="progress"]')) ?? '')?.[1])
    await expect.poll(() => page.textContent('[data-testid="evaluation-stopped"]')).toMatch(new RegExp(`stopped (after epoch ${atStop} of 200000|at step ${atStep}, \\d+ batch(es)? into epoch ${atStop + 1} of 200000)`))
    expect(await page.textContent('[data-testid="metrics"]')).toMatch(new RegExp(`stopped at (epoch ${atStop}|step ${atStep})`))
    console.info(`pause shown after ${pauseMs.toFixed(0)} ms at epoch ${atPause}; stop shown after ${stopMs.toFixed(0)} ms at epoch ${atStop}`)
    await h.shot('2-stopped')
  }, 120_000)

  it('keeps the theme, the recent files, the engine and the speed through a Start and a reload', async () => {
    const h = lab()
    const { page } = h
    await noRunGoing()
    const path = join(tempDir('torchlab-e2e-window-'), 'stopped.pth')
    await page.fill('[data-testid="save-path"]', path)
    await page.click('[data-testid="save"]')
    await expect.poll(() => page.textContent('[data-testid="recent"]')).toContain('stopped.pth')
    await page.click('[data-testid="theme"]')
    await expect.poll(() => page.textContent('[data-testid="theme"]')).toBe('theme: dark')

    await page.fill('[data-testid="epochs"]', '20')
    await page.click('[data-testid="start"]')
    await expect.poll(status, { timeout: 30_000 }).toBe('completed')

    await page.reload()
    await page.waitForSelector('main[data-ready="true"]')
    await expect.poll(() => page.textContent('[data-testid="theme"]')).toBe('theme: dark')
    await expect.poll(() => page.textContent('[data-testid="recent"]')).toContain('stopped.pth')
    expect(await page.inputValue('[data-testid="engine"]')).toBe('dense')
    expect(await page.locator('[data-testid="speed"] option:checked').textContent()).toBe('as fast as possible')
    await h.shot('3-reloaded')
  }, 60_000)

  it('gives the lecture numbers with the course preset after a shuffled, split session', async () => {
    const h = lab()
    const { page } = h
    await noRunGoing()
    await page.getByLabel('Shuffle', { exact: true }).check()
    await page.getByLabel('Validation split').fill('0.25')
    await page.getByLabel('Validation split').dispatchEvent('change')
    await page.getByLabel('Split seed').fill('3')
    await page.getByLabel('Split seed').dispatchEvent('change')
    await page.getByLabel('Missing values').selectOption('mean')
    await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('validation')
    await page.click('[data-testid="start"]')
    await expect.poll(status, { timeout: 30_000 }).toBe('completed')

    // the next session starts as this one left off: the same rows in validation, missing values treated the same
    await page.reload()
    await page.waitForSelector('main[data-ready="true"]')
    await expect.poll(() => page.getByLabel('Shuffle', { exact: true }).isChecked()).toBe(true)
    expect(await page.getByLabel('Validation split').inputValue()).toBe('0.25')
    expect(await page.getByLabel('Split seed').inputValue()).toBe('3')
    expect(await page.getByLabel('Missing values').inputValue()).toBe('mean')

    await page.click('[data-testid="preset-linear"]')
    await expect.poll(() => page.getByLabel('Shuffle', { exact: true }).isChecked()).toBe(false)
    expect(await page.getByLabel('Validation split').inputValue()).toBe('0')
    expect(await page.getByLabel('Split seed').inputValue()).toBe('0')
    expect(await page.getByLabel('Missing values').inputValue()).toBe('drop')
    expect(await page.locator('[data-testid="speed"] option:checked').textContent()).toBe('250 epochs/s')
    await page.click('[data-testid="start"]')
    // at the course pace the lecture unfolds over about four seconds: the plots fill while it runs
    await expect.poll(status, { timeout: 30_000 }).toBe('running')
    await expect.poll(shownEpoch, { timeout: 5_000 }).toBeGreaterThan(100)
    expect(await status()).toBe('running')
    await h.shot('4-course-running')
    await expect.poll(status, { timeout: 30_000 }).toBe('completed')
    await page.waitForSelector('[data-testid="trained-weight-0"]')
    // the digits `lab train` prints for the lecture: linear.weight = [[-5.72254]], linear.bias = [36.6935]
    expect(await page.textContent('[data-testid="trained-weight-0"]')).toBe('-5.72254')
    expect(await page.textContent('[data-testid="trained-bias"]')).toBe('36.6935')
    await h.shot('5-course-done')
  }, 60_000)
  it('keeps the window the same size through a 1,000,000-step run: the plots stay bounded, the page grows no nodes', async () => {
    const h = lab()
    const { page } = h
    await noRunGoing()
    await page.click('[data-testid="reset-lecture"]')
    await expect.poll(() => page.inputValue('[data-testid="batch-size"]')).toBe('2')
    // 62,500 epochs of the lecture's 16 batches, unfolded over about six seconds
    await page.fill('[data-testid="epochs"]', '62500')
    await page.selectOption('[data-testid="speed"]', { label: '10,000 epochs/s' })
    await page.click('[data-testid="start"]')
    await expect.poll(shownEpoch, { timeout: 30_000 }).toBeGreaterThan(5_000)
    const sizes: { nodes: number; points: number }[] = []
    while ((await status()) === 'running') {
      sizes.push(
        await page.evaluate(() => {
          const plots = [...document.querySelectorAll('.js-plotly-plot')] as (HTMLElement & { data?: { y?: ArrayLike<number> }[] })[]
          return { nodes: document.getElementsByTagName('*').length, points: Math.max(...plots.flatMap((p) => (p.data ?? []).map((t) => t.y?.length ?? 0))) }
        }),
      )
      await page.waitForTimeout(400)
    }
    expect(await status()).toBe('completed')
    expect(await page.textContent('[data-testid="progress"]')).toContain('step 1000000 / 1000000')
    expect(sizes.length).toBeGreaterThan(5)
    for (const { points } of sizes) expect(points).toBeLessThanOrEqual(2 * SERIES_CAPACITY)
    const nodes = sizes.map((s) => s.nodes)
    // plotly redraws its ticks as the axes grow: a few dozen nodes come and go, none pile up
    expect(Math.max(...nodes) - Math.min(...nodes)).toBeLessThan(100)
  }, 60_000)
})
