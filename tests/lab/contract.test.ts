/** The learning lab's methods travel the wire every front door uses (IPC, the browser bridge), errors as values. */
import { afterAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/lab/dispatch'
import { LAB_METHODS } from '../../src/shared/api'
import type { GraphResult, LessonInfo, StepTrace } from '../../src/shared/learning'
import { LAB_METHOD_NAMES } from '../../src/shared/wire'
import { createService } from '../helpers/lab'

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
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/steps/) } })
    const tfjs = await dispatch(service, 'stepRun', [{ kind: 'module', request: { ...course, engine: 'tfjs' }, steps: 1 }])
    expect(tfjs).toMatchObject({ ok: false, error: { code: 'ENGINE_FAILED', message: expect.stringMatching(/step with the dense engine/) } })
    const scratch = await dispatch(service, 'stepRun', [{ kind: 'scratch', request: { dataset: { ...cars, scale: 'standard' } }, steps: 1 }])
    expect(scratch).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no scaling/) } })
  })
})
