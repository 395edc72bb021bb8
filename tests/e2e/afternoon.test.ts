/**
 * A student's afternoon in Chromium against the real lab: a network trained on the iris flowers
 * and the page reloaded; a state_dict PyTorch wrote opened, trained from, then other data chosen;
 * a TorchLab checkpoint of the student's own CSV trained from after other data; a search that
 * ends as the page reloads; a lesson's task followed in the Step view.
 */
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { ARTIFACTS, chooseCourseData, giveRoles, openCsv, useLab } from '../helpers/browser'
import { DATASETS, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const lab = useLab('afternoon')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)

it('names a run by the model it trained, the same before and after a reload', async () => {
  const { page } = lab()
  await page.getByRole('button', { name: 'Iris', exact: true }).click()
  await expect.poll(() => text('data-summary')).toContain('classes setosa, versicolor, virginica')
  await page.click('[data-testid="preset-mlp"]')
  await page.fill('[data-testid="epochs"]', '3')
  await page.click('[data-testid="start"]')
  await expect.poll(() => text('run-status'), { timeout: 30_000 }).toBe('completed')
  const label = () => page.locator('[data-testid="run-select"]').last().getAttribute('title')
  // the output layer's width comes from the three classes, as the lab built it: "Linear()" is no layer torch has
  expect(await label()).toContain('· Linear(16) ReLU Linear(3) ·')
  const before = await label()
  await page.reload()
  await page.waitForSelector('main[data-ready="true"]')
  await expect.poll(label).toBe(before)

  // on a phone the label keeps room to be read (the table scrolls sideways), not the sliver "iris: s" the other columns left it
  await page.setViewportSize({ width: 390, height: 800 })
  const labelWidth = () =>
    page
      .locator('[data-testid="run-select"]')
      .last()
      .evaluate((b) => b.closest('td')!.getBoundingClientRect().width)
  await expect.poll(labelWidth).toBeGreaterThanOrEqual(150)
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  await page.locator('[data-testid="runs-table"]').screenshot({ path: join(ARTIFACTS, 'afternoon', 'runs-390.png') })
  await page.setViewportSize({ width: 1440, height: 1000 })
})

it('shows the input width a file fixed on a layer, so that other data can be chosen and the width cleared', async () => {
  const { page, shot } = lab()
  const path = join(tempDir('torchlab-e2e-files-'), 'net.pth')
  await python(
    `import torch\nfrom torch import nn\ntorch.manual_seed(1)\ntorch.save(nn.Sequential(nn.Linear(1, 1024), nn.ReLU(), nn.Linear(1024, 1)).state_dict(), INPUT)\nprint('null')`,
    path,
  )
  await chooseCourseData(page)
  await page.fill('[data-testid="open-path"]', path)
  await page.press('[data-testid="open-path"]', 'Enter')
  await expect.poll(() => text('files-message')).toBe(`Opened ${path}.`)
  // a shape reads as torch prints it, on one line, in a phone's narrow table too
  await page.setViewportSize({ width: 390, height: 800 })
  const shapeLines = await page.locator('[data-testid="opened-tensors"] tbody td:nth-child(3)').evaluateAll((cells) =>
    cells.map((cell) => {
      const range = document.createRange()
      range.selectNodeContents(cell)
      return [cell.textContent, new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size]
    }),
  )
  expect(shapeLines).toEqual([
    ['[1024, 1]', 1],
    ['[1024]', 1],
    ['[1, 1024]', 1],
    ['[1]', 1],
  ])
  await page.setViewportSize({ width: 1440, height: 1000 })
  await page.getByRole('button', { name: 'Train from these weights' }).click()
  await expect.poll(() => text('param-count')).toBe('3,073 parameters (1 input, 1 output)')

  // two features: the file's Linear(1, 8) cannot take them, and the window shows where that 1 is
  await giveRoles(page, ['hp', 'wt'], 'mpg')
  await expect
    .poll(() => text('start-problem'))
    .toBe(
      'Layer 0 is Linear(1, …) but receives 2 feature(s); leave its in_features out (Linear(1024)) and TorchLab fills in the input size.',
    )
  expect(await page.inputValue('[data-testid="layer-0-inFeatures"]')).toBe('1')
  await page.locator('[data-testid="layer-0-inFeatures"]').scrollIntoViewIfNeeded()
  await shot('fixed-in-features')
  await page.fill('[data-testid="layer-0-inFeatures"]', '')
  await expect.poll(() => text('param-count')).toBe('4,097 parameters (2 inputs, 1 output)')
  expect(await page.locator('[data-testid="start-problem"]').count()).toBe(0)
  expect(await page.isEnabled('[data-testid="start"]')).toBe(true)
})

it('names the lines of the parameters plot by their state_dict entries, as a lesson check reads them', async () => {
  const { page, shot } = lab()
  await chooseCourseData(page)
  await page.click('[data-testid="preset-linear"]')
  await giveRoles(page, ['drat', 'wt'], 'mpg')
  await page.fill('[data-testid="epochs"]', '3')
  await page.fill('[data-testid="lr"]', '0.001')
  await page.click('[data-testid="start"]')
  await expect.poll(() => text('run-status'), { timeout: 30_000 }).toBe('completed')
  const names = () =>
    page
      .locator('[data-testid="params-plot"]')
      .evaluate((el) => (el as unknown as { data: { name: string }[] }).data.map((d) => d.name))
  await expect.poll(names).toEqual(['linear.weight[0]', 'linear.weight[1]', 'linear.bias'])
  // three lines are told apart by a legend, not by hovering each
  expect(await page.locator('[data-testid="params-plot"] .legend .traces').count()).toBe(3)
  await page
    .locator('[data-testid="params-plot"]')
    .screenshot({ path: join(ARTIFACTS, 'afternoon', 'params-plot.png') })
  void shot
})

it('brings back a TorchLab checkpoint’s run, its loss and settings with its data, when a student trains from it on other data', async () => {
  const { page, shot } = lab()
  const dir = tempDir('torchlab-e2e-checkpoint-')
  const path = join(dir, 'cars.pth')
  // the student's own file: no bundled set's loss comes with it
  const csv = join(dir, 'my-cars.csv')
  copyFileSync(join(DATASETS, 'cars.csv'), csv)
  await openCsv(page, csv, { rows: 32, features: ['wt'], target: 'mpg' })
  await page.click('[data-testid="preset-linear"]')
  await page.fill('[data-testid="epochs"]', '4')
  await page.fill('[data-testid="batch-size"]', '4')
  await page.click('[data-testid="start"]')
  await expect.poll(() => text('run-status'), { timeout: 30_000 }).toBe('completed')
  await page.selectOption('select[aria-label="what to save"]', 'checkpoint')
  await page.fill('[data-testid="save-path"]', path)
  await page.click('[data-testid="save"]')
  await expect.poll(() => text('files-message')).toMatch(/^Saved /)

  // on to the iris flowers: a classifier's loss, other settings
  await page.getByRole('button', { name: 'Iris', exact: true }).click()
  await expect.poll(() => page.inputValue('[data-testid="loss"]')).toBe('CrossEntropyLoss')
  await page.fill('[data-testid="epochs"]', '9')
  await page.fill('[data-testid="open-path"]', path)
  await page.press('[data-testid="open-path"]', 'Enter')
  await expect.poll(() => text('files-message')).toBe(`Opened ${path}.`)
  await page.getByRole('button', { name: 'Train from these weights' }).click()
  await expect.poll(() => text('data-summary')).toContain('wt → mpg · regression')
  // the checkpoint's run goes on as it was: its regression loss on its regression target, not the flowers' CrossEntropyLoss
  expect(await page.inputValue('[data-testid="loss"]')).toBe('MSELoss')
  expect(await page.inputValue('[data-testid="epochs"]')).toBe('4')
  expect(await page.inputValue('[data-testid="batch-size"]')).toBe('4')
  expect(await page.locator('[data-testid="start-problem"]').count()).toBe(0)
  expect(
    await page.locator('section:has([data-testid="start"])').getByText(`Starting from the weights in ${path}`).count(),
  ).toBe(1)
  await shot('trained-from-checkpoint')
  await page.click('[data-testid="start"]')
  await expect.poll(() => text('run-status'), { timeout: 30_000 }).toBe('completed')
})

it('keeps a finished search’s results and settings through a reload, as it keeps a finished run', async () => {
  const { page } = lab()
  await chooseCourseData(page)
  await page.fill('[data-testid="grid-lr"]', '0.02, 0.05')
  await page.fill('[data-testid="grid-epochs"]', '5, 10')
  await page.click('[data-testid="search-start"]')
  await expect.poll(() => text('search-status'), { timeout: 60_000 }).toBe('completed · 12 / 12 fits')
  const best = await text('search-best')
  expect(best).toMatch(/^Best: learning rate 0\.0[25], epochs (5|10) · r2 /)
  // reloaded as the search ended: its table, its best setting and "Use these settings" are still there to use
  await page.reload()
  await page.waitForSelector('main[data-ready="true"]')
  await expect.poll(() => text('search-best')).toBe(best)
  expect(await page.inputValue('[data-testid="grid-lr"]')).toBe('0.02, 0.05')
  expect(await page.locator('[data-testid="search-results"] tbody tr').count()).toBe(4)
  expect(await page.isEnabled('[data-testid="use-best"]')).toBe(true)
})

it('steps once on "Next step ▶▶" as the model-class lesson’s task says, from a Step view not yet begun', async () => {
  const { page } = lab()
  await page.click('[data-testid="tab-lessons"]')
  await page.click('[data-testid="lesson-model-class"]')
  await expect.poll(() => text('lesson-title')).toBe('The model class')
  expect(await text('lesson-tasks')).toContain('(Learning lab → Step by step, Next step ▶▶)')
  await page.click('[data-testid="tab-step"]')
  await page.selectOption('[data-testid="step-mode"]', 'module')
  expect(await page.isEnabled('[data-testid="step-next-step"]')).toBe(true)
  await page.click('[data-testid="step-next-step"]')
  // the first step, the whole batch of 32 cars: the one whose gradient the task asks about
  await expect
    .poll(() => text('step-where'), { timeout: 30_000 })
    .toMatch(/^epoch 1, batch 1 \(step 1\) · rows 0, 1, 2, .*, 31$/)
})
