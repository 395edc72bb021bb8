/**
 * Runs a lesson's reference runs through the lab and grades its checks. Each run yields named
 * quantities (status, final_loss, every state_dict value, best_params.lr, …); a check reads
 * one as RUN.QUANTITY and compares it. The lab is passed in, so the window, the CLI and the
 * tests grade a lesson through the same LabService.
 */
import { join } from 'node:path'
import type { LabApi, RunSummary, SearchSummary } from '../../../shared/api'
import type { CheckResult, Lesson, LessonCheck, LessonCheckReport, LessonRun, Quantity, ScratchRequestInput } from '../../../shared/learning'
import { valueNames } from '../../../shared/modelSpec'
import type { NestedNumbers, StateDictJson, TrainRequestInput } from '../../../shared/schemas'
import type { ScratchResult } from '../scratch/scratchRun'

export interface LessonLab {
  lab: Pick<LabApi, 'startTraining' | 'waitForRun' | 'evaluate' | 'saveRun' | 'openCheckpoint' | 'startSearch' | 'waitForSearch'>
  scratch(request: ScratchRequestInput): Promise<ScratchResult>
  /** a fresh folder for the files a run writes */
  tempDir(): Promise<string>
}

type Quantities = Record<string, Quantity>

const flat = (v: NestedNumbers): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v])

/** one-value tensors by their name (linear.weight), larger ones element by element (0.weight[3]) */
function stateDictQuantities(sd: StateDictJson, prefix = ''): Quantities {
  const out: Quantities = {}
  for (const [name, value] of Object.entries(sd)) {
    const values = flat(value)
    valueNames(prefix + name, values.length).forEach((quantity, i) => (out[quantity] = values[i]))
  }
  return out
}

function lossQuantities(history: number[]): Quantities {
  return { epochs: history.length, ...(history.length ? { first_loss: history[0], final_loss: history[history.length - 1] } : {}) }
}

function trainRequest(lesson: Lesson, run: Extract<LessonRun, { kind: 'train' | 'save-load' | 'search' }>): TrainRequestInput {
  return { dataset: lesson.setup.data, model: run.model ?? lesson.setup.model, train: { ...lesson.setup.train, ...run.train }, engine: 'auto' }
}

async function train(deps: LessonLab, request: TrainRequestInput): Promise<{ runId: string; summary: RunSummary; quantities: Quantities }> {
  const { runId } = await deps.lab.startTraining(request)
  const summary = await deps.lab.waitForRun(runId)
  const evaluation = summary.status !== 'failed' && summary.epochsCompleted > 0 ? await deps.lab.evaluate(runId, 'train') : undefined
  return {
    runId,
    summary,
    quantities: {
      status: summary.status,
      ...lossQuantities(summary.lossHistory),
      ...(evaluation?.regression ? { r2: evaluation.regression.r2 } : {}),
      ...(evaluation?.classification ? { accuracy: evaluation.classification.accuracy } : {}),
      ...stateDictQuantities(summary.stateDict),
    },
  }
}

function searchQuantities(summary: SearchSummary): Quantities {
  const best: Quantities = {}
  for (const [k, v] of Object.entries(summary.bestParams ?? {})) best[`best_params.${k}`] = Array.isArray(v) ? v.join('x') : v
  return { status: summary.status, ...(summary.bestScore !== null ? { best_score: summary.bestScore } : {}), ...best }
}

async function runOne(deps: LessonLab, lesson: Lesson, run: LessonRun): Promise<Quantities> {
  switch (run.kind) {
    case 'train':
      return (await train(deps, trainRequest(lesson, run))).quantities
    case 'save-load': {
      const trained = await train(deps, trainRequest(lesson, run))
      const path = join(await deps.tempDir(), `${lesson.id}-${run.id}.pth`)
      await deps.lab.saveRun({ runId: trained.runId, path, kind: 'state_dict' })
      const reopened = await deps.lab.openCheckpoint(path, { values: true })
      const reloaded = Object.fromEntries(reopened.tensors.map((t) => [t.key, t.values ?? []]))
      const saved = trained.summary.stateDict
      const diffs = Object.keys(saved).flatMap((k) => flat(saved[k]).map((v, i) => Math.abs(v - (reloaded[k]?.[i] ?? NaN))))
      return {
        ...trained.quantities,
        ...stateDictQuantities(reloaded, 'reloaded.'),
        file_kind: reopened.kind,
        max_abs_diff: diffs.some(Number.isNaN) ? Infinity : Math.max(...diffs),
      }
    }
    case 'scratch': {
      const result = await deps.scratch({ dataset: lesson.setup.data, ...run.scratch })
      return { status: result.status, w: result.w, b: result.b, ...lossQuantities(result.lossHistory) }
    }
    case 'search': {
      const base = trainRequest(lesson, run)
      const { searchId } = await deps.lab.startSearch({ dataset: base.dataset, model: base.model, train: base.train, ...run.search })
      return searchQuantities(await deps.lab.waitForSearch(searchId))
    }
  }
}

const show = (v: number): string => String(Number(v.toPrecision(6)))

export function grade(check: LessonCheck, runs: Record<string, Quantities>): CheckResult {
  const [run, ...rest] = check.value.split('.')
  const got = runs[run]?.[rest.join('.')] ?? null
  const rules: { ok: (v: Quantity) => boolean; text: string }[] = []
  if (check.near !== undefined) rules.push({ ok: (v) => typeof v === 'number' && Math.abs(v - check.near!) <= check.within!, text: `within ${check.within} of ${show(check.near)}` })
  if (check.below !== undefined) rules.push({ ok: (v) => typeof v === 'number' && v < check.below!, text: `below ${check.below}` })
  if (check.above !== undefined) rules.push({ ok: (v) => typeof v === 'number' && v > check.above!, text: `above ${check.above}` })
  if (check.equals !== undefined) rules.push({ ok: (v) => v === check.equals, text: `equal to ${JSON.stringify(check.equals)}` })
  return {
    label: check.label,
    value: check.value,
    got,
    passed: got !== null && rules.every((r) => r.ok(got)),
    expected: rules.map((r) => r.text).join(' and '),
  }
}

export async function checkLesson(lesson: Lesson, deps: LessonLab): Promise<LessonCheckReport> {
  const runs: Record<string, Quantities> = {}
  for (const run of lesson.runs) runs[run.id] = await runOne(deps, lesson, run)
  const checks = lesson.checks.map((c) => grade(c, runs))
  return { id: lesson.id, title: lesson.title, passed: checks.every((c) => c.passed), checks, runs }
}
