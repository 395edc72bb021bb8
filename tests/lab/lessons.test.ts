/** Lessons: every bundled lesson's checks pass; teachers' files load, check, and fail with the line to fix. */
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { LabError } from '../../src/shared/errors'
import { taskFor, type LessonCheckReport, type LessonInfo } from '../../src/shared/learning'
import { lessonCode, lessonMode } from '../../src/shared/lessonCode'
import { createService, DATASETS, RESOURCES, ROOT, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const run = promisify(execFile)
const cli = (...args: string[]) => run('npx', ['tsx', 'src/main/cli.ts', ...args], { cwd: ROOT })

const IDS = ['from-scratch', 'model-class', 'learning-rate', 'batches', 'dataloader', 'save-load', 'grid-search']

describe('the bundled lessons', () => {
  it('lab lessons --json lists one lesson per coding lecture, with id, title and lecture', async () => {
    const list = JSON.parse((await cli('lessons', '--json')).stdout) as LessonInfo[]
    expect(list.map((l) => l.id)).toEqual(IDS)
    for (const l of list) expect(Object.keys(l)).toEqual(['id', 'title', 'lecture'])
  })

  const reports = new Map<string, LessonCheckReport>()
  for (const id of IDS) {
    it(`${id}: every check passes`, async () => {
      const report = await service.checkLesson(id)
      reports.set(id, report)
      for (const c of report.checks) expect(c.passed, `${c.label}: got ${c.got}, expected ${c.expected}`).toBe(true)
      expect(report.passed).toBe(true)
      expect(report.checks.length).toBeGreaterThan(0)
    }, 300_000)
  }

  it("words each task for where it is read: the window's controls in the window, lab's commands in a terminal", async () => {
    const windowTasks = (await Promise.all(IDS.map((id) => service.getLesson(id)))).flatMap((l) => l.tasks.map((t) => taskFor(t, 'window')))
    // a command is quoted in the window only for what the window cannot do, as the terminal's whole command
    const commands = windowTasks.filter((t) => /\blab (-- )?[a-z]/.test(t))
    expect(commands).toEqual([expect.stringContaining('in a terminal, where TorchLab writes it (npm run lab -- search')])
    expect(windowTasks).toContain('Step through one epoch (Learning lab → Batches) and follow the batches: [0, 1], [2, 3], …')
    const { stdout } = await cli('lesson', 'dataloader')
    expect(stdout).toContain('  - Step through one epoch (lab step --steps 16) and follow the batches: [0, 1], [2, 3], …\n')
    expect(stdout).not.toContain('Learning lab →')
  })

  it("the checks' runs and searches leave alone the settings a student's next window opens on", async () => {
    const settings = await service.getSettings()
    expect(reports.size).toBeGreaterThan(0)
    expect(settings.lastTrain).toBeUndefined()
    expect(settings.lastSearch).toBeUndefined()
    expect(settings.lastDataset).toBeUndefined()
  })

  it('the DataLoader lesson gives −5.7225 / 36.6935 and the grid-search lesson lr 0.05 with 500 epochs', () => {
    const dl = reports.get('dataloader')!.runs.reference
    expect(Math.abs((dl['linear.weight'] as number) + 5.7225)).toBeLessThan(0.0005)
    expect(Math.abs((dl['linear.bias'] as number) - 36.6935)).toBeLessThan(0.0005)
    expect(reports.get('grid-search')!.runs.grid).toMatchObject({ 'best_params.lr': 0.05, 'best_params.epochs': 500, status: 'completed' })
  })

  it("the from-scratch lesson's w and b are what the lecture's loop gives in real torch", async () => {
    const scratch = reports.get('from-scratch')!.runs.scratch
    const torch = await python<number[]>(
      `
import csv, numpy as np, torch
rows = list(csv.DictReader(open(INPUT)))
X = torch.from_numpy(np.array([float(r['wt']) for r in rows]))
y_true = torch.from_numpy(np.array([float(r['mpg']) for r in rows]))
torch.manual_seed(0)
w = torch.rand(1, requires_grad=True, dtype=torch.float64)
b = torch.rand(1, requires_grad=True, dtype=torch.float64)
for epoch in range(100):
    for i in range(len(X)):
        loss_tensor = torch.pow(X[i] * w + b - y_true[i], 2)
        loss_tensor.backward()
        with torch.no_grad():
            w -= w.grad * 0.001
            b -= b.grad * 0.001
            w.grad.zero_()
            b.grad.zero_()
print(json.dumps([w.item(), b.item()]))
`,
      join(RESOURCES, 'datasets', 'cars.csv'),
    )
    expect(Math.abs((scratch.w as number) - torch[0])).toBeLessThan(1e-9)
    expect(Math.abs((scratch.b as number) - torch[1])).toBeLessThan(1e-9)
  })

  // the loss plot draws each epoch's mean batch loss: the lesson's own code, with the window's settings written in and run in torch, must collect those numbers
  for (const [id, lr] of [
    ['dataloader', 0.02],
    ['learning-rate', 0.02],
  ] as const) {
    it(`${id}: the losses the lesson's code collects in real torch are the losses the lab plots`, async () => {
      const lesson = await service.getLesson(id)
      const { data, model, train } = lesson.setup
      // the lab's seeded stream is not torch.manual_seed's: every nn.Linear the code builds starts where the lab's run starts
      const init = { 'linear.weight': [[0.25]], 'linear.bias': [-0.5] }
      // the student's own epochs and batch size, which the code shown must carry
      const asked = { ...train, epochs: 100, batchSize: 4, optimizer: { ...train.optimizer, lr } }
      const { runId } = await service.startTraining({ dataset: data, model, train: asked, init })
      const plotted = (await service.waitForRun(runId)).lossHistory
      const torch = await python<number[]>(
        `
import contextlib, io, os, torch
os.chdir(INPUT['dir'])
def start_where_the_lab_starts(linear):
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(INPUT['init']['linear.weight']))
        linear.bias.copy_(torch.tensor(INPUT['init']['linear.bias']))
torch.nn.Linear.reset_parameters = start_where_the_lab_starts
scope = {}
with contextlib.redirect_stdout(io.StringIO()):
    exec(INPUT['code'], scope)
print(json.dumps(scope['losses']))
`,
        { dir: DATASETS, code: lessonCode(lesson.code, { ...asked, lr }).map((l) => l.text).join('\n'), init },
      )
      expect(torch.length).toBe(plotted.length)
      for (let i = 0; i < torch.length; i++) expect(Math.abs(plotted[i] - torch[i]), `epoch ${i + 1}`).toBeLessThanOrEqual(1e-6 * Math.abs(torch[i]))
    }, 120_000)
  }

  it("shows each lecture's code as written when the lesson opens: its setup's settings change no line", async () => {
    for (const id of IDS) {
      const lesson = await service.getLesson(id)
      const { train } = lesson.setup
      const first = lesson.runs[0]
      // the from-scratch lecture's code carries its own loop's lr and epochs, as the window writes it
      const loop = lessonMode(lesson) === 'scratch' && first.kind === 'scratch' ? { lr: first.scratch?.lr ?? 0.001, epochs: first.scratch?.epochs ?? 100 } : { lr: train.optimizer.lr, epochs: train.epochs }
      const changed = lessonCode(lesson.code, { ...train, ...loop }).filter((l) => l.changed)
      expect(changed.map((l) => l.text), id).toEqual([])
    }
  })

  it("remembers a student's progress in the settings", async () => {
    const settings = await service.getSettings()
    expect(settings.lessonProgress?.dataloader?.passed).toBe(true)
  })
})

const teacherLesson = {
  format: 1,
  id: 'my-lesson',
  title: 'Momentum',
  lecture: 'A teacher’s own',
  goal: 'See momentum speed up SGD.',
  setup: {
    data: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
    model: { kind: 'linear' },
    train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 50, batchSize: 4 },
  },
  code: ['optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)'],
  tasks: ['Try momentum 0.9.'],
  runs: [{ id: 'momentum', kind: 'train', train: { optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 } } }],
  checks: [{ label: 'the run completes', value: 'momentum.status', equals: 'completed' }],
}

function writeLesson(value: unknown, text?: string): string {
  const path = join(tempDir('torchlab-lesson-'), 'lesson.json')
  writeFileSync(path, text ?? JSON.stringify(value, null, 2))
  return path
}

async function lessonError(text: string): Promise<LabError> {
  const path = writeLesson(null, text)
  try {
    await service.loadLessonFile(path)
  } catch (err) {
    expect(err).toBeInstanceOf(LabError)
    return err as LabError
  }
  throw new Error('the lesson loaded')
}

describe("a teacher's lesson file", () => {
  it('lab lesson FILE.json --check runs it; a failing check fails the command and says what it got', async () => {
    const ok = JSON.parse((await cli('lesson', writeLesson(teacherLesson), '--check', '--json')).stdout) as LessonCheckReport
    expect(ok.passed).toBe(true)
    expect(ok.runs.momentum.epochs).toBe(50)
    const failing = { ...teacherLesson, checks: [{ label: 'w is near 3', value: 'momentum.linear.weight', near: 3, within: 0.1 }] }
    const err = await cli('lesson', writeLesson(failing), '--check', '--json').catch((e: { stdout: string; code: number }) => e)
    expect((err as { code: number }).code).toBe(1)
    const report = JSON.parse((err as { stdout: string }).stdout) as LessonCheckReport
    expect(report.passed).toBe(false)
    expect(report.checks[0]).toMatchObject({ passed: false, expected: 'within 0.1 of 3' })
    expect(typeof report.checks[0].got).toBe('number')
  }, 300_000)

  it('one check runs at a time: a request for the lesson being checked joins it, another lesson is refused with a sentence', async () => {
    const path = writeLesson(teacherLesson)
    expect(await service.lessonCheckRunning()).toBeNull()
    const first = service.checkLesson(path)
    const joined = service.checkLesson(path)
    expect(await service.lessonCheckRunning()).toBe(path)
    const other = await service.checkLesson('learning-rate').catch((err: unknown) => (err as LabError).info)
    expect(other).toMatchObject({ code: 'RUN_BUSY' })
    expect((other as { message: string }).message).toMatch(/^The checks of the lesson ".*" are running; wait for their report, then check this one\.$/)
    const report = await first
    expect(await joined).toBe(report)
    expect(await service.lessonCheckRunning()).toBeNull()
    expect((await service.checkLesson('learning-rate')).passed).toBe(true)
  })

  it('a JSON syntax error names its line', async () => {
    const text = JSON.stringify(teacherLesson, null, 2).replace('"tasks": [', '"tasks": [,')
    const line = text.split('\n').findIndex((l) => l.includes('"tasks": [,')) + 1
    const err = await lessonError(text)
    expect(err.info).toMatchObject({ code: 'LESSON_INVALID', line })
    expect(err.message).toMatch(new RegExp(`line ${line}: expected a value`))
  })

  it('a wrong field names the line of the field', async () => {
    const text = JSON.stringify({ ...teacherLesson, runs: [{ id: 'momentum', kind: 'train', train: { epcohs: 10 } }] }, null, 2)
    const line = text.split('\n').findIndex((l) => l.includes('"epcohs"')) + 1
    const err = await lessonError(text)
    expect(err.info.line).toBe(line)
    expect(err.message).toContain(`line ${line}: The training settings of runs[0] have no setting called "epcohs"; did you mean "epochs"?`)
  })

  it('a value out of range is named in a sentence that ends once', async () => {
    const text = JSON.stringify({ ...teacherLesson, setup: { ...teacherLesson.setup, train: { ...teacherLesson.setup.train, batchSize: 0 } } }, null, 2)
    const line = text.split('\n').findIndex((l) => l.includes('"batchSize": 0')) + 1
    expect((await lessonError(text)).message).toMatch(new RegExp(`line ${line}: Batch size must be at least 1\\.$`))
  })

  it('a check on a run that does not exist, and near without within, are refused at their lines', async () => {
    const text = JSON.stringify(
      {
        ...teacherLesson,
        checks: [
          { label: 'a', value: 'momentum.status', equals: 'completed' },
          { label: 'b', value: 'other.final_loss', below: 3 },
        ],
      },
      null,
      2,
    )
    const err = await lessonError(text)
    expect(err.info.line).toBe(text.split('\n').findIndex((l) => l.includes('"other.final_loss"')) + 1)
    expect(err.message).toMatch(/There is no run "other"; the runs are momentum/)
    const near = await lessonError(JSON.stringify({ ...teacherLesson, checks: [{ label: 'c', value: 'momentum.final_loss', near: 3 }] }, null, 2))
    expect(near.message).toMatch(/near and within go together/)
  })

  it('refuses what is not a lesson at all, without hanging: an unclosed string, deep nesting, a missing file, an unknown id', async () => {
    expect((await lessonError('{\n  "format": 1,\n  "id": "x\n}')).info.line).toBe(3)
    expect((await lessonError('['.repeat(100_000))).message).toMatch(/nested more than 64 deep/)
    expect((await lessonError('')).message).toMatch(/line 1: expected a value .* but found the end of the file/)
    await expect(service.loadLessonFile('/nonexistent/lesson.json')).rejects.toThrow(/There is no lesson file at \/nonexistent\/lesson.json/)
    await expect(service.checkLesson('no-such-lesson')).rejects.toThrow(/There is no lesson "no-such-lesson". The lessons are: from-scratch, /)
  })

  it('every bundled lesson file is one a teacher could have written: it loads through the same path', async () => {
    for (const id of IDS) {
      const files = readFileSync(join(RESOURCES, 'lessons', `${String(IDS.indexOf(id) + 1).padStart(2, '0')}-${id}.json`), 'utf8')
      expect((await service.loadLessonFile(writeLesson(null, files))).id).toBe(id)
    }
  })
})
