/** The learning lab's methods travel the wire every front door uses (IPC, the browser bridge), errors as values. */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { dispatch } from '../../src/main/lab/dispatch'
import { LAB_METHODS } from '../../src/shared/api'
import type { GraphResult, LessonInfo, StepTrace } from '../../src/shared/learning'
import { LAB_METHOD_NAMES } from '../../src/shared/wire'
import { createService, tempDir } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())
const cars = { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' }
const course = { dataset: cars, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize: 2 } }

describe('the learning lab over the wire', () => {
  it('lists every new method on both sides of the contract', () => {
    for (const m of ['stepRun', 'getGraph', 'listLessons', 'getLesson', 'loadLessonFile', 'checkLesson', 'exportSearchPython'] as const) {
      expect(LAB_METHOD_NAMES).toContain(m)
      expect(Object.keys(LAB_METHODS)).toContain(m)
    }
  })

  it('a panel can step, draw the graph and list lessons through dispatch', async () => {
    const step = await dispatch(service, 'stepRun', [{ kind: 'module', request: course, steps: 2 }])
    expect(step.ok && (step.value as StepTrace).steps.map((s) => s.indices)).toEqual([[0, 1], [2, 3]])
    const graph = await dispatch(service, 'getGraph', [{ kind: 'module', request: course }])
    expect(graph.ok && (graph.value as GraphResult).autograd.nodes[0].name).toBe('MseLossBackward0')
    const lessons = await dispatch(service, 'listLessons', [])
    expect(lessons.ok && (lessons.value as LessonInfo[]).length).toBeGreaterThanOrEqual(7)
    const lesson = await dispatch(service, 'getLesson', ['dataloader'])
    expect(lesson.ok && (lesson.value as { code: string[] }).code.join('\n')).toMatch(/DataLoader\(dataset=/)
  })

  it('bad arguments come back as errors a student can read, naming what was refused', async () => {
    const tooMany = await dispatch(service, 'stepRun', [{ kind: 'module', request: course, steps: 1_000_000 }])
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^Invalid step request\. Steps can be at most 10,000\.$/) } })
    const tfjs = await dispatch(service, 'stepRun', [{ kind: 'module', request: { ...course, engine: 'tfjs' }, steps: 1 }])
    expect(tfjs).toMatchObject({ ok: false, error: { code: 'ENGINE_FAILED', message: expect.stringMatching(/step with the dense engine/) } })
    const scratch = await dispatch(service, 'stepRun', [{ kind: 'scratch', request: { dataset: { ...cars, scale: 'standard' } }, steps: 1 }])
    expect(scratch).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no scaling/) } })
  })
})

/** a parameter's schema without optional/default wrappers: what a caller actually passes */
function core(schema: z.ZodType): z.ZodType {
  const inner = (schema.def as { innerType?: z.ZodType }).innerType
  return inner ? core(inner) : schema
}

/** the positions where two free strings sit side by side, which a caller can swap unnoticed (an enum cannot be swapped with a string) */
function adjacentStrings(tuple: z.ZodTuple): number[] {
  const kinds = tuple.def.items.map((item) => core(item as z.ZodType).def.type)
  return kinds.flatMap((kind, i) => (kind === 'string' && kinds[i + 1] === 'string' ? [i] : []))
}

describe('the contract takes request objects, never adjacent strings', () => {
  it('finds two adjacent strings where they are, optional or not', () => {
    expect(adjacentStrings(z.tuple([z.string().min(1), z.string().optional()]))).toEqual([0])
    expect(adjacentStrings(z.tuple([z.string(), z.enum(['train', 'validation'])]))).toEqual([])
  })

  it('no LabApi method takes two adjacent string parameters', () => {
    const offenders = Object.entries(LAB_METHODS).filter(([, tuple]) => adjacentStrings(tuple as z.ZodTuple).length > 0).map(([name]) => name)
    expect(offenders).toEqual([])
  })

  it('an export called the old positional way is refused with a sentence naming the field it lacks', async () => {
    const csv = await dispatch(service, 'exportSearchCsv', ['search-1', join(tempDir(), 'cv.csv')])
    expect(csv).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^Invalid export request\. .*The request must be a set of settings\./) } })
    const py = await dispatch(service, 'exportPython', [{ checkpoint: 'model.pth' }])
    expect(py).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/The output path is missing\./) } })
  })
})
