/** The course's whole session in the real renderer, in Chromium, against the real LabService. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useLab } from '../helpers/browser'
import { tempDir } from '../helpers/lab'
import { python } from '../helpers/python'
import { shownNumber } from '../../src/shared/shownNumber'

const lab = useLab('course')

/** points in the first trace of a plotly chart */
const points = (testid: string) =>
  lab().page.evaluate((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`) as (HTMLElement & { data?: { y: number[] }[] }) | null
    return el?.data?.[0]?.y?.length ?? 0
  }, testid)

const status = () => lab().page.textContent('[data-testid="run-status"]')

describe('the course lecture in the lab window', () => {
  it('imports cars.csv, trains wt → mpg, pauses and resumes, shows w ≈ −5.72 and b ≈ 36.69, saves and reopens the .pth', async () => {
    const h = lab()
    const { page } = h
    await page.getByRole('button', { name: 'Cars (mtcars)' }).click()
    await page.selectOption('[data-testid="role-wt"]', 'feature')
    await page.selectOption('[data-testid="role-mpg"]', 'target')
    await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('wt → mpg')
    await page.click('[data-testid="preset-linear"]')
    await page.fill('[data-testid="batch-size"]', '2')
    await page.fill('[data-testid="epochs"]', '1000')
    await page.fill('[data-testid="lr"]', '0.02')
    // the dense engine finishes the lecture in a tenth of a second; tfjs takes long enough to watch and pause
    await page.selectOption('[data-testid="engine"]', 'tfjs')
    expect(await page.textContent('[data-testid="param-count"]')).toContain('2 parameters')
    await h.shot('1-ready')

    await page.click('[data-testid="start"]')
    await page.waitForSelector('[data-testid="weight-plot"]')
    const early = { loss: await points('loss-plot'), weight: await points('weight-plot'), bias: await points('bias-plot') }
    await expect.poll(() => points('weight-plot'), { timeout: 20_000 }).toBeGreaterThan(early.weight)
    // plots take turns to redraw (one a frame, each at most 5 times a second): each catches up in its turn
    await expect.poll(() => points('bias-plot'), { timeout: 20_000 }).toBeGreaterThan(early.bias)
    await expect.poll(() => points('loss-plot'), { timeout: 20_000 }).toBeGreaterThan(early.loss)

    await page.click('[data-testid="pause"]')
    await expect.poll(status).toBe('paused')
    // plots redraw at most 5 times a second: let the last redraw of what came before the pause land
    await page.waitForTimeout(400)
    await h.shot('2-paused')
    const atPause = await points('loss-plot')
    await page.waitForTimeout(500)
    expect(await points('loss-plot')).toBe(atPause)
    expect(await page.textContent('[data-testid="pause"]')).toBe('Resume')
    await page.click('[data-testid="pause"]')
    await expect.poll(status).not.toBe('paused')

    await expect.poll(status, { timeout: 60_000 }).toBe('completed')
    await page.waitForSelector('[data-testid="trained-weight-0"]')
    const w = Number(await page.textContent('[data-testid="trained-weight-0"]'))
    const b = Number(await page.textContent('[data-testid="trained-bias"]'))
    expect(w).toBeCloseTo(-5.72, 2)
    expect(b).toBeCloseTo(36.69, 2)
    expect(Number(await page.textContent('[data-testid="ols-weight-0"]'))).toBeCloseTo(-5.3445, 3)
    await h.shot('3-trained')

    const path = join(tempDir('torchlab-e2e-'), 'course.pth')
    await page.fill('[data-testid="save-path"]', path)
    await page.click('[data-testid="save"]')
    await expect.poll(() => page.textContent('[data-testid="files-message"]')).toContain('Saved')
    expect(existsSync(path)).toBe(true)
    await page.fill('[data-testid="open-path"]', path)
    await page.click('[data-testid="open"]')
    await page.waitForSelector('[data-testid="opened-tensors"]')
    expect(Number(await page.textContent('[data-testid="value-linear.weight"]'))).toBeCloseTo(w, 3)
    expect(Number(await page.textContent('[data-testid="value-linear.bias"]'))).toBeCloseTo(b, 3)
    await h.shot('4-reopened')
    // the trained weights as torch reads them from the saved file, in the digits `lab train` prints them with
    const saved = await python<{ w: number; b: number }>(
      `import torch\nsd = torch.load(INPUT)\nprint(json.dumps({"w": sd["linear.weight"].item(), "b": sd["linear.bias"].item()}))`,
      path,
    )
    expect(await page.textContent('[data-testid="trained-weight-0"]')).toBe(shownNumber(saved.w))
    expect(await page.textContent('[data-testid="trained-bias"]')).toBe(shownNumber(saved.b))
  })
})
