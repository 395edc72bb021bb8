/**
 * The learning lab in the real window, in Chromium, against the real LabService: the
 * from-scratch lesson stepped phase by phase, the loss landscape for lr 0.02 and 0.1, the
 * batch view with and without shuffle and drop_last, the autograd graph, lesson files from disk.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useLab } from '../helpers/browser'
import { RESOURCES, tempDir } from '../helpers/lab'

const lab = useLab('lab')
const text = (testid: string) => lab().page.textContent(`[data-testid="${testid}"]`)
const attr = (testid: string, name: string) => lab().page.getAttribute(`[data-testid="${testid}"]`, name)

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
    await page.waitForSelector('[data-testid="step-run"]')
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
