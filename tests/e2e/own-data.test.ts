/**
 * A student's own classification file, not the course's: semicolons and decimal commas, no header
 * row, an id column to leave out, text class labels and a few empty cells. Through the import
 * wizard to an MLP with BatchNorm1d and Dropout, its saved weights and its confusion matrix checked
 * against torch, then the same window on a phone-narrow screen.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { useLab } from '../helpers/browser'
import { tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const lab = useLab('own-data')

const CLASSES = ['Adelie', 'Chinstrap', 'Gentoo', 'Macaroni']
/** 80 penguins, 20 of each class, their measurements spread by a fixed wobble; three cells left empty */
function penguinsCsv(): string {
  const centres = [
    [38.8, 18.3, 190, 3700],
    [48.8, 18.4, 196, 3733],
    [47.5, 15.0, 217, 5076],
    [42.0, 16.5, 205, 4300],
  ]
  const spread = [2.5, 1, 6, 300]
  const lines = Array.from({ length: 80 }, (_, i) => {
    const c = i % 4
    const cells = centres[c].map((centre, j) => (centre + spread[j] * Math.sin(i * 1.7 + j * 2.3)).toFixed(2).replace('.', ','))
    if (i === 7 || i === 33 || i === 50) cells[i % 4] = ''
    return [`P${1000 + i}`, ...cells, CLASSES[c]].join(';')
  })
  return `${lines.join('\n')}\n`
}

describe('a student brings their own data', () => {
  it('gives the columns back their roles when a wrong delimiter or header row is tried and taken back', async () => {
    const { page } = lab()
    const text = async (id: string) => (await page.textContent(`[data-testid="${id}"]`))?.replace(/\s+/g, ' ').trim()
    const csv = join(tempDir('torchlab-own-data-'), 'penguins.csv')
    writeFileSync(csv, penguinsCsv())
    await page.fill('[data-testid="csv-path"]', csv)
    await page.press('[data-testid="csv-path"]', 'Enter')
    await expect.poll(() => text('preview-info')).toBe('80 rows · delimiter “;” · decimal mark “,” · no header')
    for (const c of ['column 2', 'column 4']) await page.selectOption(`[data-testid="role-${c}"]`, 'feature')
    await page.selectOption('[data-testid="role-column 6"]', 'target')
    const roles = 'column 2, column 4 → column 6'
    await expect.poll(() => text('data-summary')).toContain(roles)
    for (const [option, wrong, back] of [['delimiter', ',', ''], ['header', 'yes', 'auto']]) {
      await page.selectOption(`[data-testid="${option}"]`, wrong)
      await expect.poll(() => page.locator('[data-testid="data-summary"]').count(), { message: option }).toBe(0)
      await page.selectOption(`[data-testid="${option}"]`, back)
      await expect.poll(() => text('data-summary'), { message: option }).toContain(roles)
    }
  })

  it('imports a semicolon file with decimal commas and no header, trains an MLP with BatchNorm1d and Dropout, and shows what torch computes', async () => {
    const h = lab()
    const { page } = h
    const text = async (id: string) => (await page.textContent(`[data-testid="${id}"]`))?.replace(/\s+/g, ' ').trim()
    const dir = tempDir('torchlab-own-data-')
    const csv = join(dir, 'penguins.csv')
    writeFileSync(csv, penguinsCsv())

    await page.fill('[data-testid="csv-path"]', csv)
    await page.press('[data-testid="csv-path"]', 'Enter')
    await expect.poll(() => text('preview-info')).toBe('80 rows · delimiter “;” · decimal mark “,” · no header')
    for (const c of ['column 2', 'column 3', 'column 4', 'column 5']) await page.selectOption(`[data-testid="role-${c}"]`, 'feature')
    await page.selectOption('[data-testid="role-column 6"]', 'target')
    await page.getByLabel('Standardize features').check()
    await page.getByLabel('Validation split').fill('0.25')
    await page.getByLabel('Validation split').dispatchEvent('change')
    await expect.poll(() => text('data-summary')).toContain('58 training rows, 19 validation · classes Adelie, Chinstrap, Gentoo, Macaroni · Dropped 3 row(s)')
    // the data plot's class axis reads the file's labels, not the indices the model is trained on
    await expect.poll(() => page.locator('[data-testid="data-scatter"] .ytick text').allTextContents()).toEqual(CLASSES)

    await page.click('[data-testid="preset-mlp"]')
    await page.selectOption('[data-testid="add-kind"]', 'BatchNorm1d')
    await page.click('[data-testid="add-layer"]')
    await page.getByLabel('move layer 2 up').click()
    await page.selectOption('[data-testid="add-kind"]', 'Dropout')
    await page.click('[data-testid="add-layer"]')
    expect(await page.inputValue('[data-testid="loss"]')).toBe('CrossEntropyLoss')
    await page.selectOption('[data-testid="optimizer"]', 'Adam')
    await page.fill('[data-testid="lr"]', '0.01')
    await page.fill('[data-testid="batch-size"]', '16')
    await page.fill('[data-testid="epochs"]', '30')
    await page.selectOption('[data-testid="speed"]', { label: 'as fast as possible' })
    expect(await page.textContent('[data-testid="pytorch-code"]')).toMatch(/nn\.Linear\(4, 16\),\s+nn\.BatchNorm1d\(16\),\s+nn\.ReLU\(\),\s+nn\.Dropout\(p=0\.5\),\s+nn\.Linear\(16, 4\)/)
    await page.click('[data-testid="start"]')
    await expect.poll(() => text('run-status'), { timeout: 60_000 }).toBe('completed')
    await page.waitForSelector('[data-testid="confusion-matrix"]')
    // the metrics are of the model in eval mode, the loss in the runs table of train mode: the panel says why they differ
    expect(await text('eval-mode-note')).toBe(
      'Measured in eval mode, as model.eval() runs the model (BatchNorm1d uses its running statistics, not the batch’s; Dropout is off): these numbers differ from the training loss, which is measured in train mode.',
    )
    const matrix = await page.$$eval('[data-testid="confusion-matrix"] tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))))
    const accuracy = Number(await text('accuracy'))
    const report = await page.$$eval('[data-testid="class-report"] tbody tr', (rows) => rows.map((r) => [r.querySelector('th')!.textContent, ...[...r.querySelectorAll('td')].map((td) => Number(td.textContent))]))

    // the weights as saved, reopened in the Files panel: each value in the digits torch prints
    const saved = join(dir, 'penguins.pth')
    await page.fill('[data-testid="save-path"]', saved)
    await page.getByLabel('what to save').selectOption('checkpoint')
    await page.click('[data-testid="save"]')
    await expect.poll(() => text('files-message')).toContain('Saved')
    // the same run as a PyTorch script: its split and scaler, with the weights the checkpoint holds
    await page.fill('[data-testid="export-path"]', join(dir, 'penguins.py'))
    await page.click('[data-testid="export"]')
    await expect.poll(() => text('files-message')).toContain('Wrote')
    await page.fill('[data-testid="open-path"]', saved)
    await page.click('[data-testid="open"]')
    await page.waitForSelector('[data-testid="opened-tensors"]')
    const shown = (await text('value-0.weight'))!.replace(', …', '').split(', ').map(Number)
    await h.shot('trained')

    const torch = await python<{ weight: number[]; confusion: number[][]; accuracy: number; report: Record<string, Record<string, number>> }>(
      `import importlib.util, torch
from sklearn.metrics import classification_report
spec = importlib.util.spec_from_file_location("run", INPUT["script"])
run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)
(_, _), (x_val, y_val) = run.prepare(INPUT["csv"])
model = run.load_weights(run.build_model(), run.WEIGHTS_PATH).eval()
with torch.no_grad():
    predicted = model(x_val).argmax(1)
confusion = [[0] * 4 for _ in range(4)]
for a, p in zip(y_val.tolist(), predicted.tolist()):
    confusion[a][p] += 1
report = classification_report(y_val.tolist(), predicted.tolist(), labels=[0, 1, 2, 3], target_names=INPUT["classes"], output_dict=True, zero_division=0)
print(json.dumps({"weight": model[0].weight.flatten().tolist(), "confusion": confusion, "accuracy": (predicted == y_val).float().mean().item(), "report": report}))`,
      { script: join(dir, 'penguins.py'), csv, classes: CLASSES },
    )
    expect(shown.length).toBeGreaterThan(3)
    // six significant digits: four decimals missed a weight such as 0.0123456 by a tenth of a percent
    shown.forEach((v, i) => expect(Math.abs(v - torch.weight[i])).toBeLessThanOrEqual(5e-6 * Math.abs(torch.weight[i]) + 1e-12))
    expect(matrix).toEqual(torch.confusion)
    expect(accuracy).toBeCloseTo(torch.accuracy, 5)
    // each class's precision, recall and F1 as sklearn's classification_report gives them for torch's predictions
    expect(report.map((r) => r[0])).toEqual([...CLASSES, 'macro avg', 'weighted avg'])
    for (const [name, ...scores] of report) {
      const want = torch.report[name as string]
      expect(scores, name as string).toEqual([want.precision, want.recall, want['f1-score'], want.support].map((v, i) => (i < 3 ? expect.closeTo(v, 5) : v)))
    }

    // a phone-narrow window: no number of the run is cut off, and the last class can be scrolled to
    await page.setViewportSize({ width: 390, height: 844 })
    await page.waitForTimeout(600)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    const clipped = await page.$$eval('[data-testid="progress"] span', (spans) =>
      spans.filter((s) => s.getBoundingClientRect().right > s.closest('section')!.getBoundingClientRect().right).map((s) => s.textContent),
    )
    expect(clipped).toEqual([])
    // what a panel holds wider than the phone scrolls sideways under the student's wheel, where the panel's edge cut it off
    const reachable = async (cell: Locator) => {
      await cell.scrollIntoViewIfNeeded()
      const at = (await cell.boundingBox())!
      await page.mouse.move(Math.min(at.x + 10, 300), at.y + at.height / 2)
      await page.mouse.wheel(2000, 0)
      await page.waitForTimeout(200)
      return cell.evaluate((td) => {
        const r = td.getBoundingClientRect()
        return r.right <= innerWidth && document.elementFromPoint(r.right - 2, r.y + r.height / 2) === td
      })
    }
    expect(await reachable(page.locator('[data-testid="confusion-matrix"] td[data-correct="true"]').last())).toBe(true)
    expect(await reachable(page.locator('[data-testid="value-0.weight"]'))).toBe(true)
    await h.shot('phone')
  }, 120_000)
})
