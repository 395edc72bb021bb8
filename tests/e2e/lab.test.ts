/**
 * The learning lab in the real window, in Chromium, against the real LabService: the
 * from-scratch lesson stepped phase by phase, the loss landscape for lr 0.02 and 0.1, the
 * batch view with and without shuffle and drop_last, the autograd graph, lesson files from disk.
 * Then what a student following the course hit: lesson code drawn with the previous lesson's
 * settings as a lesson opened (and with the Step view's loop instead of the lesson's own), a
 * stepped run that turned into another at step 201 after a Train panel edit, a lesson's drop_last
 * that Train ignored, task lists without their numbers, uploaded files named by their temporary
 * copies (and a restarted window opening on an error about one), a run that blew up in its first
 * epoch promised metrics, and a landscape left under the sentence refusing it.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { giveRoles, openCsv, openLab, useLab } from '../helpers/browser'
import { COURSE } from '../../src/shared/catalog/course'
import { createService, RESOURCES, tempDir } from '../helpers/lab'

const lab = useLab('lab')
/** files torch 1.13 wrote */
const FIXTURES = resolve(import.meta.dirname, '../../../shared/fixtures/pth')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)
const attr = (testid: string, name: string) => lab().page.getAttribute(`[data-testid="${testid}"]`, name)

/**
 * Records the lesson code every time the page changes while `title` is the lesson shown: what a
 * student could read at any moment, not only once the window has settled.
 */
async function codeWhileShowing(title: string, open: () => Promise<void>): Promise<string[]> {
  const { page } = lab()
  await page.evaluate((t) => {
    const seen: string[] = []
    ;(window as unknown as { codeSeen: string[] }).codeSeen = seen
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="lesson-title"]')?.textContent === t) seen.push(document.querySelector('[data-testid="lesson-code"]')?.textContent ?? '')
    }).observe(document.body, { subtree: true, childList: true, characterData: true })
  }, title)
  await open()
  await expect.poll(() => text('lesson-title')).toBe(title)
  await expect.poll(() => text('data-summary')).toContain('wt → mpg')
  return page.evaluate(() => (window as unknown as { codeSeen: string[] }).codeSeen)
}

describe('lessons as a student follows them', () => {
  it('draws a lesson’s code with its own settings from the moment it shows, whichever loop the Step view steps', async () => {
    const h = lab()
    const { page } = h
    await page.click('[data-testid="tab-lessons"]')
    // the window opens on the Train panel's lr 0.02 and 1000 epochs; the from-scratch loop runs lr 0.001 for 100
    const seen = await codeWhileShowing('Linear regression from scratch', () => page.click('[data-testid="lesson-from-scratch"]'))
    expect(seen.length).toBeGreaterThan(0)
    for (const code of seen) expect(code).toMatch(/num_epochs = 100(?!\d).*learning_rate = 0\.001(?!\d)/)
    // the model-class lesson trains full batch (32); the batches lesson after it, 2 at a time
    await page.click('[data-testid="lesson-model-class"]')
    await expect.poll(() => text('lesson-code')).toContain('NUM_EPOCHS = 1000')
    await expect.poll(() => page.inputValue('[data-testid="batch-size"]')).toBe('32')
    const batches = await codeWhileShowing('Batches', () => page.click('[data-testid="lesson-batches"]'))
    expect(batches.length).toBeGreaterThan(0)
    for (const code of batches) expect(code).toMatch(/BATCH_SIZE = 2(?!\d)/)
    await h.shot('16-lesson-code-as-it-opens')

    // stepping the nn.Module loop does not rewrite the from-scratch lecture's numbers
    await page.click('[data-testid="lesson-from-scratch"]')
    await expect.poll(() => text('lesson-code')).toContain('learning_rate = 0.001')
    await page.click('[data-testid="tab-step"]')
    await page.selectOption('[data-testid="step-mode"]', 'module')
    await page.click('[data-testid="tab-lessons"]')
    expect(await text('lesson-code')).toMatch(/num_epochs = 100(?!\d).*learning_rate = 0\.001(?!\d)/)
  })

  it('keeps stepping the run it began when the Train panel changes on the way, at the fastest pace: the step shown follows the one before', async () => {
    const { page } = lab()
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-dataloader"]')
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')
    await page.click('[data-testid="tab-step"]')
    expect(await page.inputValue('[data-testid="step-mode"]')).toBe('module')
    await page.click('[data-testid="step-next"]')
    await expect.poll(() => text('step-where')).toContain('step 1)')
    // the student tries another lr in the Train panel while the stepped run goes on: its next 200 steps are fetched then
    await page.fill('[data-testid="lr"]', '0.5')
    // at the fastest pace: more steps a frame than one, past several fetches of the next steps
    await page.selectOption('[data-testid="step-pace"]', '500')
    await page.click('[data-testid="step-run"]')
    const stepShown = async () => Number(/step (\d+)/.exec((await text('step-where')) ?? '')?.[1])
    await expect.poll(stepShown, { timeout: 20_000 }).toBeGreaterThan(1201)
    await page.click('[data-testid="step-pause"]')
    await page.waitForSelector('[data-testid="step-run"]:enabled')
    const n = await stepShown()
    await page.click('[data-testid="phase-forward"]')
    const w = Number(/[-\d.e]+/.exec((await text('value-linear.weight')) ?? '')?.[0])

    const service = createService()
    try {
      const trace = await service.stepRun({
        kind: 'module',
        request: { dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' }, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize: 2, shuffle: false } },
        steps: n,
      })
      // the weight step n starts from: the lesson's lr 0.02 run after n − 1 steps
      expect(w).toBeCloseTo((trace.steps[n - 2].params['linear.weight'] as number[][])[0][0], 4)
    } finally {
      service.dispose()
    }
    await page.fill('[data-testid="lr"]', '0.02')
  })

  it('trains the way a lesson sets up, drop_last included, and says so in its code', async () => {
    const { page } = lab()
    const dir = tempDir('torchlab-e2e-droplast-')
    const lesson = JSON.parse(readFileSync(join(RESOURCES, 'lessons', '05-dataloader.json'), 'utf8')) as { setup: { train: Record<string, unknown> } }
    const file = join(dir, 'drop-last.json')
    writeFileSync(file, JSON.stringify({ ...lesson, id: 'drop-last', title: 'Short batches dropped', setup: { ...lesson.setup, train: { ...lesson.setup.train, batchSize: 5, dropLast: true } } }, null, 2))
    await page.click('[data-testid="tab-lessons"]')
    await page.fill('[data-testid="lesson-path"]', file)
    await page.click('[data-testid="lesson-open"]')
    await expect.poll(() => text('lesson-title')).toBe('Short batches dropped')
    expect(await text('lesson-code')).toContain('batch_size=5, drop_last=True)')
    expect(await page.isChecked('[data-testid="drop-last"]')).toBe(true)
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')
    await page.fill('[data-testid="epochs"]', '1')
    await page.click('[data-testid="start"]')
    await expect.poll(() => text('run-status'), { timeout: 20_000 }).toBe('completed')
    // 32 cars in batches of 5: six full batches, the last two cars dropped
    expect(await text('progress')).toContain('step 6 / 6')
    await page.uncheck('[data-testid="drop-last"]')
  })

  it('opens a lesson with every setting its lecture fixes, whatever the student tried before: preparation, split, loss, pace and torch’s initial weights', async () => {
    const { page } = lab()
    const prep = page.getByRole('group', { name: 'Preparation' })
    await page.getByRole('button', { name: 'Cars (mtcars)', exact: true }).click()
    await giveRoles(page, ['wt'], 'mpg')
    // a student's experiments, each of which changes the lecture's numbers or how it is watched
    await prep.getByLabel('Missing values').selectOption('mean')
    await prep.getByLabel('Standardize features').check()
    await prep.getByLabel('Validation split').fill('0.25')
    await prep.getByLabel('Validation split').dispatchEvent('change')
    await prep.getByLabel('Split seed').fill('3')
    await prep.getByLabel('Split seed').dispatchEvent('change')
    await expect.poll(() => text('data-summary')).toContain('24 training rows, 8 validation')
    await page.selectOption('[data-testid="loss"]', 'L1Loss')
    await page.selectOption('[data-testid="speed"]', { index: 0 })
    const weights = join(tempDir('torchlab-e2e-lecture-'), 'experiment.pth')
    copyFileSync(join(FIXTURES, 'lin_state_dict.pth'), weights)
    await page.fill('[data-testid="open-path"]', weights)
    await page.click('[data-testid="open"]')
    await page.click('button:text-is("Train from these weights")')
    await expect.poll(() => page.getByText('Starting from the weights in').count()).toBe(1)

    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-dataloader"]')
    await expect.poll(() => text('data-summary')).toContain('32 training rows ·')
    expect(await prep.getByLabel('Missing values').inputValue()).toBe('drop')
    expect(await prep.getByLabel('Standardize features').isChecked()).toBe(false)
    expect(Number(await prep.getByLabel('Validation split').inputValue())).toBe(0)
    expect(Number(await prep.getByLabel('Split seed').inputValue())).toBe(0)
    expect(await page.inputValue('[data-testid="loss"]')).toBe('MSELoss')
    expect(await page.inputValue('[data-testid="speed"]')).toBe(String(COURSE.pace))
    expect(await page.getByText('Starting from the weights in').count()).toBe(0)
    await page.click('[data-testid="start"]')
    await expect.poll(() => text('progress'), { timeout: 30_000 }).toContain('epoch 1000')
    await expect.poll(() => text('run-status'), { timeout: 30_000 }).toBe('completed')
    await expect.poll(async () => Number(await text('trained-weight-0'))).toBeCloseTo(-5.7225, 3)
    expect(Number(await text('trained-bias'))).toBeCloseTo(36.6935, 3)
  }, 60_000)

  it('"Reset to the lecture" goes back to the open lesson’s setup, data included, not to another lecture’s', async () => {
    const { page } = lab()
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-model-class"]')
    await expect.poll(() => page.inputValue('[data-testid="batch-size"]')).toBe('32')
    await page.fill('[data-testid="batch-size"]', '4')
    await page.fill('[data-testid="lr"]', '0.05')
    await page.getByRole('button', { name: 'Iris' }).click()
    await expect.poll(() => text('data-summary')).toContain('→ species')
    await page.click('[data-testid="reset-lecture"]')
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')
    // the model-class lecture trains full batch: 32 cars a step, not the DataLoader lecture's 2
    expect(await page.inputValue('[data-testid="batch-size"]')).toBe('32')
    expect(await page.inputValue('[data-testid="lr"]')).toBe('0.02')
    expect(await page.inputValue('[data-testid="loss"]')).toBe('MSELoss')
    expect(await text('lesson-code')).toContain('NUM_EPOCHS = 1000')
  })

  it('numbers a lesson’s tasks', async () => {
    const { page } = lab()
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-dataloader"]')
    await expect.poll(() => text('lesson-title')).toBe('Dataset and DataLoader')
    // the lesson has set its data up before the next test chooses other data
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')
    const markers = await page.$$eval('[data-testid="lesson-tasks"] li', (items) => items.map((li) => getComputedStyle(li).display))
    expect(markers.length).toBeGreaterThan(0)
    expect(new Set(markers)).toEqual(new Set(['list-item']))
  })
})

describe('files a student uploads', () => {
  it('names an uploaded CSV and .pth by their own names, reopens them by those names, and keeps them out of Recent', async () => {
    const h = lab()
    const { page } = h
    const dir = tempDir('torchlab-e2e-upload-')
    const csv = join(dir, 'house prices (2024).csv')
    writeFileSync(csv, 'area;rooms;price\n50,5;2;150000\n72,0;3;210000\n95,5;4;280000\n120,0;5;350000\n60,0;2;170000\n')
    await page.setInputFiles('input[aria-label="Upload a CSV"]', csv)
    await expect.poll(() => page.inputValue('[data-testid="csv-path"]')).toBe('house prices (2024).csv')
    await expect.poll(() => text('preview-info')).toContain('5 rows')
    await page.selectOption('[data-testid="role-area"]', 'feature')
    await page.selectOption('[data-testid="role-price"]', 'target')
    await expect.poll(() => text('data-summary')).toContain('area → price')
    // Open reads the box again: the upload's own name finds its copy
    await page.selectOption('[data-testid="delimiter"]', ';')
    await page.click('button:text-is("Open")')
    await expect.poll(() => text('preview-info')).toContain('delimiter “;”')
    expect(await page.$('[data-testid="data-error"]')).toBeNull()
    await page.selectOption('[data-testid="role-area"]', 'feature')
    await page.selectOption('[data-testid="role-price"]', 'target')
    await page.click('[data-testid="preset-linear"]')
    await page.fill('[data-testid="epochs"]', '2')
    await page.fill('[data-testid="lr"]', '0.0001')
    await page.click('[data-testid="start"]')
    await expect.poll(() => page.textContent('[data-testid="run-row"]:last-child [data-testid="run-select"]'), { timeout: 20_000 }).toMatch(/^house prices \(2024\)\.csv: area → price/)
    await expect.poll(() => text('run-status'), { timeout: 20_000 }).toBe('completed')

    await page.setInputFiles('input[aria-label="Upload a .pth"]', join(FIXTURES, 'lin_state_dict.pth'))
    await expect.poll(() => text('files-message')).toBe('Opened lin_state_dict.pth.')
    expect(await page.inputValue('[data-testid="open-path"]')).toBe('lin_state_dict.pth')
    await page.click('button:text-is("Train from these weights")')
    await expect.poll(() => page.textContent('section[aria-labelledby="train-title"]')).toContain('Starting from the weights in lin_state_dict.pth')
    // the copy is gone when the lab stops: Recent would lead nowhere
    const recent = await page.$('[data-testid="recent"]')
    expect((await recent?.textContent()) ?? '').not.toContain('lin_state_dict')
    const shown = await page.evaluate(() => document.body.innerText + [...document.querySelectorAll('input')].map((i) => i.value).join(' '))
    expect(shown).not.toContain('torchlab-uploads')
    await h.shot('17-uploads-by-name')
  })
})

describe('files one after another', () => {
  it('reads each new file as its own: the delimiter chosen for a semicolon file is not used for the next one', async () => {
    const { page } = lab()
    const dir = tempDir('torchlab-e2e-two-files-')
    const semicolons = join(dir, 'semicolons.csv')
    const commas = join(dir, 'commas.csv')
    writeFileSync(semicolons, 'a;b\n1;2\n3;4\n5;6\n')
    writeFileSync(commas, 'x,y,z\n1,2,3\n4,5,6\n')
    await page.fill('[data-testid="csv-path"]', semicolons)
    await page.press('[data-testid="csv-path"]', 'Enter')
    await page.selectOption('[data-testid="delimiter"]', ';')
    await expect.poll(() => text('preview-info')).toContain('delimiter “;”')
    // Open on the same file keeps what was chosen for it
    await page.press('[data-testid="csv-path"]', 'Enter')
    await expect.poll(() => page.inputValue('[data-testid="delimiter"]')).toBe(';')
    await page.fill('[data-testid="csv-path"]', commas)
    await page.press('[data-testid="csv-path"]', 'Enter')
    await expect.poll(() => text('preview-info')).toContain('2 rows')
    expect(await text('preview-info')).toContain('delimiter “,”')
    expect(await page.$('[data-testid="role-z"]')).not.toBeNull()
  })
})

describe('a checkpoint TorchLab saved', () => {
  it('"Train from these weights" opens the data set a full checkpoint trained on as it was: its columns and its standardising', async () => {
    const { page } = lab()
    await page.getByRole('button', { name: 'Cars (mtcars)', exact: true }).click()
    await expect.poll(() => text('data-summary')).toContain('→ mpg')
    await page.click('[data-testid="preset-linear"]')
    await page.selectOption('[data-testid="role-wt"]', 'ignore')
    await page.selectOption('[data-testid="role-hp"]', 'feature')
    await page.getByLabel('Standardize features').check()
    await expect.poll(() => text('data-summary')).toContain('hp → mpg')
    await page.fill('[data-testid="epochs"]', '2')
    await page.click('[data-testid="start"]')
    await expect.poll(() => text('run-status'), { timeout: 20_000 }).toBe('completed')
    const path = join(tempDir('torchlab-e2e-reopen-'), 'hp.pth')
    await page.fill('[data-testid="save-path"]', path)
    await page.selectOption('select[aria-label="what to save"]', 'checkpoint')
    await page.click('[data-testid="save"]')
    await expect.poll(() => text('files-message')).toContain('Saved')

    await page.getByRole('button', { name: 'Iris' }).click()
    await expect.poll(() => text('data-summary')).toContain('→ species')
    await page.fill('[data-testid="open-path"]', path)
    await page.click('[data-testid="open"]')
    await page.click('button:text-is("Train from these weights")')
    await expect.poll(() => text('data-summary')).toContain('hp → mpg')
    expect(await page.getByLabel('Standardize features').isChecked()).toBe(true)
    expect(await page.isEnabled('[data-testid="start"]')).toBe(true)
  })
})

describe('evaluating a run', () => {
  it('says why a run that blew up in its first epoch has no metrics, instead of waiting for it to end', async () => {
    const { page } = lab()
    const csv = join(tempDir('torchlab-e2e-diverge-'), 'prices.csv')
    writeFileSync(csv, 'area,price\n50,150000\n72,210000\n95,280000\n120,350000\n60,170000\n85,240000\n')
    // the upload before was read with a semicolon: this file is read as its own, not as one column
    await openCsv(page, csv, { rows: 6, features: ['area'], target: 'price' })
    await page.click('[data-testid="preset-linear"]')
    await page.fill('[data-testid="epochs"]', '5')
    await page.click('[data-testid="start"]')
    // prices in the hundreds of thousands at lr 0.02: the weights blow up within the first batches
    await expect.poll(() => text('run-status'), { timeout: 20_000 }).toBe('diverged')
    await expect.poll(() => text('no-metrics')).toBe('This run diverged before its first epoch finished: there is no trained model to measure.')
  })
})

describe('a window opened after the lab restarted (served with --max-upload-mb 1)', () => {
  it('opens the course data, with a sentence, where the file trained on last (an upload) is gone; an upload over the limit says so and keeps the data', async () => {
    const settings = tempDir('torchlab-e2e-restart-')
    const gone = join(tempDir('torchlab-uploads-'), '1a2b3c4d-house_prices.csv')
    writeFileSync(join(settings, 'settings.json'), JSON.stringify({ lastDataset: { source: { kind: 'file', path: gone }, features: ['area'], target: 'price' } }))
    const h = await openLab('lab-restart', settings, ['--max-upload-mb', '1'])
    try {
      const { page } = h
      await expect.poll(() => page.textContent('[data-testid="data-summary"]')).toContain('→ mpg')
      expect(await page.textContent('[data-testid="data-note"]')).toContain('The file you trained on last is no longer there')
      expect(await page.$('[data-testid="data-error"]')).toBeNull()
      expect(await page.evaluate(() => document.body.innerText)).not.toContain(gone)
      await h.shot('18-restart-upload-gone')
      // the next data set chosen takes the note away
      await page.getByRole('button', { name: 'Iris' }).click()
      await expect.poll(() => page.$('[data-testid="data-note"]')).toBeNull()

      const big = join(tempDir('torchlab-e2e-big-'), 'big.csv')
      writeFileSync(big, 'x,y\n' + '1.25,2.5\n'.repeat(150_000))
      await page.setInputFiles('input[aria-label="Upload a CSV"]', big)
      await expect.poll(() => page.textContent('[data-testid="data-error"]')).toContain('big.csv was not uploaded: The file is larger than the 1 MB an upload may carry.')
      expect(await page.textContent('[data-testid="data-summary"]')).toContain('→ species')
    } finally {
      await h.close()
    }
  })
})

describe('the learning lab in the window', () => {
  it('opens the from-scratch lesson and steps one car through forward, loss, backward, update and zero_grad', async () => {
    const h = lab()
    const { page } = h
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-from-scratch"]')
    await expect.poll(() => text('lesson-title')).toBe('Linear regression from scratch')
    // the code carries the window's settings, which the lesson sets as it opens
    await expect.poll(() => text('lesson-code')).toContain('learning_rate = 0.001')
    // the lesson set the window up: cars, wt → mpg
    await expect.poll(() => text('data-summary')).toContain('wt → mpg')

    await page.click('[data-testid="tab-step"]')
    expect(await page.inputValue('[data-testid="step-mode"]')).toBe('scratch')
    await page.click('[data-testid="step-next"]')
    await expect.poll(() => attr('phase-view', 'data-phase')).toBe('forward')
    expect(await text('step-where')).toContain('epoch 1, batch 1')
    // torch.manual_seed(0); w = torch.rand(1, dtype=float64) gives 0.970053; the first car has wt 2.62
    expect(await text('phase-view')).toContain('ŷ = x·w + b = 2.62·0.970053 + 0.70782 = 3.24936')
    await h.shot('1-forward')
    const expected: [string, string][] = [
      ['loss', 'L = (ŷ − y)² = (3.24936 − 21)² = 315.085'],
      ['backward', 'dL/dw = 2·(ŷ − y)·x = 2·(-17.7506)·2.62 = -93.0134'],
      ['update', 'w ← w − lr·dL/dw = 0.970053 − 0.001·(-93.0134) = 1.06307'],
      ['zero_grad', 'w.grad.zero_()'],
    ]
    for (const [phase, formula] of expected) {
      await page.click('[data-testid="step-next"]')
      await expect.poll(() => attr('phase-view', 'data-phase')).toBe(phase)
      expect(await text('phase-view')).toContain(formula)
      await h.shot(`${2 + expected.findIndex(([p]) => p === phase)}-${phase}`)
    }
    expect(await text('value-w.grad')).toBe('[0]')
    expect(await text('value-b.grad')).toBe('[0]')
    // past zero_grad: the second car's forward, from the updated w
    await page.click('[data-testid="step-next"]')
    await expect.poll(() => text('step-where')).toContain('epoch 1, batch 2')
    expect(await text('phase-view')).toContain('2.875·1.06307')

    // then let it run, and pause it
    await page.click('[data-testid="step-run"]')
    await expect.poll(async () => Number(/step (\d+)/.exec((await text('step-where')) ?? '')?.[1]), { timeout: 20_000 }).toBeGreaterThan(10)
    await page.click('[data-testid="step-pause"]')
    await page.waitForSelector('[data-testid="step-run"]:enabled')
    const paused = await text('step-where')
    await page.waitForTimeout(300)
    expect(await text('step-where')).toBe(paused)
    await h.shot('6-running')

    // the graph autograd built for one car's loss, with w's value and gradient at the stepped step
    await page.click('[data-testid="tab-graph"]')
    await page.click('[data-testid="graph-load"]')
    await page.waitForSelector('[data-testid="autograd-graph"]')
    const names = await page.$$eval('[data-testid="grad-node"]', (nodes) => nodes.map((n) => n.getAttribute('data-name')))
    expect(names).toEqual(['PowBackward0', 'SubBackward0', 'AddBackward0', 'MulBackward0', 'AccumulateGrad', 'AccumulateGrad'])
    expect(await page.textContent('[data-testid="grad-node"][data-param="w"] title')).toMatch(/^w = \[[-\d.]+\]\nw\.grad = \[[-\d.]+\]$/)
    await h.shot('7-graph')

    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-check"]')
    await expect.poll(() => text('lesson-result'), { timeout: 60_000 }).toBe('All checks pass.')
    expect(await page.$$eval('[data-testid^="check-"]', (rows) => rows.map((r) => r.getAttribute('data-passed')))).toEqual(['true', 'true', 'true', 'true', 'true'])
    await expect.poll(() => text('progress-from-scratch')).toContain('passed')
    await h.shot('8-checked')
  })

  it('walks the loss landscape: lr 0.02 stays on the map toward least squares, lr 0.1 flies off', async () => {
    const h = lab()
    const { page } = h
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-learning-rate"]')
    await expect.poll(() => text('lesson-title')).toBe('Learning rate and epochs')
    await page.click('[data-testid="tab-landscape"]')
    await page.fill('[data-testid="landscape-lr"]', '0.02')
    await page.click('[data-testid="landscape-load"]')
    await page.waitForSelector('[data-testid="landscape"]')
    expect(Number(await text('landscape-min-w'))).toBeCloseTo(-5.3445, 4)
    expect(Number(await text('landscape-min-b'))).toBeCloseTo(37.2851, 4)
    // the path is drawn step by step: it grows, then holds every step
    const early = Number(await attr('landscape', 'data-path-points'))
    await expect.poll(() => text('landscape-status'), { timeout: 20_000 }).toContain('step 3000:')
    expect(await attr('landscape', 'data-path-points')).toBe('3001')
    expect(early).toBeLessThan(3001)
    expect(await attr('landscape', 'data-left-at')).toBe('-1')
    const at = /step 3000: w ([-\d.]+), b ([-\d.]+)/.exec((await text('landscape-status')) ?? '')
    expect(Number(at?.[1])).toBeLessThan(-3)
    expect(Number(at?.[2])).toBeGreaterThan(25)
    await h.shot('9-landscape-lr-0.02')

    // a model with no single (w, b) has no landscape: the sentence replaces the map, not sits under it
    await page.click('[data-testid="preset-mlp"]')
    await page.click('[data-testid="landscape-load"]')
    await expect.poll(() => text('landscape-error')).toContain('choose the linear model')
    expect(await page.$('[data-testid="landscape"]')).toBeNull()
    await h.shot('10-landscape-not-linear')
    await page.click('[data-testid="preset-linear"]')

    await page.fill('[data-testid="landscape-lr"]', '0.1')
    await page.click('[data-testid="landscape-load"]')
    await expect.poll(async () => Number(await attr('landscape', 'data-left-at')), { timeout: 20_000 }).toBeGreaterThan(0)
    expect(await text('landscape-status')).toMatch(/the path left the map at step \d+/)
    await h.shot('10-landscape-lr-0.1')
  })

  it('shows the batches of each epoch: in order without shuffle, reordered every epoch with it, drop_last dropping the rest', async () => {
    const h = lab()
    const { page } = h
    await page.click('[data-testid="tab-lessons"]')
    await page.click('[data-testid="lesson-dataloader"]')
    await expect.poll(() => text('lesson-title')).toContain('DataLoader')
    await page.click('[data-testid="tab-batches"]')
    await page.click('[data-testid="batches-load"]')
    await expect.poll(() => text('batch-order')).toContain('[0, 1][2, 3]')
    const order = async (epoch: number) => {
      await page.click(`[data-testid="batch-epoch-${epoch}"]`)
      return (await text('batch-order')) ?? ''
    }
    const plain = [await order(1), await order(2)]
    expect(plain[1]).toBe(plain[0].replace('epoch 1', 'epoch 2'))
    expect(await text('batch-dropped')).toBe('every row is in a batch this epoch')
    await page.click('[data-testid="batch-2"]')
    expect(await page.getAttribute('[data-testid="batch-row-2"]', 'class')).toContain('hit')
    expect(await page.getAttribute('[data-testid="batch-row-0"]', 'class')).not.toContain('hit')
    expect(await page.$$eval('[data-testid="batch-scatter"] circle.hit', (c) => c.map((e) => e.getAttribute('data-row')))).toEqual(['2', '3'])
    expect(Number(await text('batch-loss'))).toBeGreaterThan(0)
    expect(Number(await text('epoch-loss'))).toBeGreaterThan(0)
    await h.shot('11-batches-in-order')

    await page.check('[data-testid="batch-shuffle"]')
    await expect.poll(() => order(1)).not.toBe(plain[0])
    const shuffled = [await order(1), await order(2)]
    expect(shuffled[1]).not.toBe(shuffled[0].replace('epoch 1', 'epoch 2'))
    // still every row once per epoch
    const rows = (s: string | null) => [...(s ?? '').matchAll(/\d+/g)].map((m) => Number(m[0])).slice(1).sort((a, b) => a - b)
    expect(rows(shuffled[0])).toEqual(Array.from({ length: 32 }, (_, i) => i))
    await h.shot('12-batches-shuffled')

    await page.uncheck('[data-testid="batch-shuffle"]')
    await page.fill('[data-testid="batch-view-size"]', '5')
    await page.check('[data-testid="batch-drop-last"]')
    await expect.poll(() => text('batch-dropped')).toBe('drop_last dropped rows 30, 31 this epoch')
    expect(await page.getAttribute('[data-testid="batch-row-31"]', 'class')).toContain('dropped')
    await h.shot('13-batches-drop-last')
  })

  it('opens a lesson file from disk, and shows a broken one’s error with its line', async () => {
    const h = lab()
    const { page } = h
    const dir = tempDir('torchlab-e2e-lesson-')
    const lesson = JSON.parse(readFileSync(join(RESOURCES, 'lessons', '04-batches.json'), 'utf8')) as { id: string; title: string }
    const good = join(dir, 'my-lesson.json')
    writeFileSync(good, JSON.stringify({ ...lesson, id: 'my-lesson', title: 'A teacher’s own lesson' }, null, 2))
    await page.click('[data-testid="tab-lessons"]')
    await page.fill('[data-testid="lesson-path"]', good)
    await page.click('[data-testid="lesson-open"]')
    await expect.poll(() => text('lesson-title')).toBe('A teacher’s own lesson')
    await h.shot('14-lesson-file')

    const bad = join(dir, 'broken.json')
    const lines = JSON.stringify({ ...lesson, id: 'broken' }, null, 2).split('\n')
    const at = lines.findIndex((l) => l.includes('"title"'))
    lines[at] = '  "tilte": "typo",'
    writeFileSync(bad, lines.join('\n'))
    await page.fill('[data-testid="lesson-path"]', bad)
    await page.click('[data-testid="lesson-open"]')
    await expect.poll(() => text('lesson-error')).toContain(`line ${at + 1}`)
    // the lesson that was open stays open
    expect(await text('lesson-title')).toBe('A teacher’s own lesson')
    await h.shot('15-lesson-file-error')
  })
})
