/** What the window shows for each phase, each epoch's batches, and the lesson code with the student's settings: from real traces and bundled lessons. */
import type { DatasetSpecInput, TrainRequestInput } from '../../src/shared/schemas'
import { afterAll, describe, expect, it } from 'vitest'
import { lessonCode, lessonMode } from '../../src/shared/lessonCode'
import { epochBatches, MODULE_PHASES, phaseView, SCRATCH_PHASES } from '../../src/shared/stepPhases'
import { createService } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())
const cars: DatasetSpecInput = { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' }
const course = (train: object): TrainRequestInput => ({ dataset: cars, model: { kind: 'linear' }, train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize: 2, ...train } })

describe('the phases of a step, as the window pages through them', () => {
  it('from scratch: forward, loss, backward, update, zero_grad with the numbers of the first car', async () => {
    const trace = await service.stepRun({ kind: 'scratch', request: { dataset: cars }, steps: 2 })
    const views = SCRATCH_PHASES.map((_, p) => phaseView(trace, 0, p))
    expect(views.map((v) => v.phase)).toEqual(['forward', 'loss', 'backward', 'update', 'zero_grad'])
    expect(views[0].values).toContainEqual({ name: 'w', value: '[0.970053]' })
    expect(views[0].values).toContainEqual({ name: 'y_pred', value: '3.24936' })
    expect(views[1].values).toContainEqual({ name: 'loss', value: '315.085' })
    expect(views[2].values).toEqual([
      { name: 'w.grad', value: '[-93.0134]' },
      { name: 'b.grad', value: '[-35.5013]' },
    ])
    expect(views[3].values).toContainEqual({ name: 'w', value: '[1.06307]' })
    expect(views[4].values).toEqual([
      { name: 'w.grad', value: '[0]' },
      { name: 'b.grad', value: '[0]' },
    ])
    // the second step starts from the first one's update
    expect(phaseView(trace, 1, 0).values).toContainEqual({ name: 'w', value: '[1.06307]' })
  })

  it('nn.Module: zero_grad first, every parameter’s gradient after backward, the batch’s rows in forward', async () => {
    const trace = await service.stepRun({ kind: 'module', request: course({}), steps: 1 })
    const views = MODULE_PHASES.map((_, p) => phaseView(trace, 0, p))
    expect(views.map((v) => v.code)).toEqual(['optimizer.zero_grad()', 'y_pred = model(X_batch)', 'loss = loss_fn(y_pred, y_batch)', 'loss.backward()', 'optimizer.step()'])
    expect(views[1].formulas).toEqual(['rows 0, 1 of the training set'])
    expect(views[3].values.map((v) => v.name)).toEqual(['linear.weight.grad', 'linear.bias.grad'])
    expect(views[0].values.map((v) => v.value)).toEqual(['[0]', '[0]'])
  })

  it('groups batches by epoch: shuffle reorders each epoch, drop_last leaves rows out', async () => {
    const plain = epochBatches(await service.stepRun({ kind: 'module', request: course({}), steps: 32 }), 32)
    expect(plain.map((e) => e.batches[0].indices)).toEqual([[0, 1], [0, 1]])
    expect(plain[0].epochLoss).toBeCloseTo(plain[0].batches.reduce((s, b) => s + b.loss, 0) / 16, 12)
    const shuffled = epochBatches(await service.stepRun({ kind: 'module', request: course({ shuffle: true }), steps: 32 }), 32)
    expect(shuffled[0].batches.flatMap((b) => b.indices)).not.toEqual(shuffled[1].batches.flatMap((b) => b.indices))
    expect(shuffled[0].batches.flatMap((b) => b.indices).sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i))
    const dropped = epochBatches(await service.stepRun({ kind: 'module', request: course({ batchSize: 5, dropLast: true }), steps: 12 }), 32)
    expect(dropped[0].batches).toHaveLength(6)
    expect(dropped[0].dropped).toEqual([30, 31])
  })
})

describe('a lesson’s code with the student’s settings', () => {
  it('writes lr, epochs, batch size, shuffle and drop_last into the lines that hold them, and marks them', async () => {
    const lesson = await service.getLesson('dataloader')
    expect(lessonMode(lesson)).toBe('module')
    const same = lessonCode(lesson.code, { lr: 0.02, epochs: 1000, batchSize: 2, shuffle: false, dropLast: false })
    expect(same.every((l) => !l.changed)).toBe(true)
    const changed = lessonCode(lesson.code, { lr: 0.05, epochs: 200, batchSize: 8, shuffle: true, dropLast: true })
    const text = changed.map((l) => l.text).join('\n')
    expect(text).toContain('batch_size=8, shuffle=True, drop_last=True)')
    expect(text).toContain('lr=0.05')
    expect(text).toContain('for epoch in range(200)')
    expect(changed.filter((l) => l.changed)).toHaveLength(3)
    const scratch = await service.getLesson('from-scratch')
    expect(lessonMode(scratch)).toBe('scratch')
    expect(lessonCode(scratch.code, { lr: 0.01, epochs: 1000, batchSize: 2, shuffle: false, dropLast: false }).map((l) => l.text)).toEqual(expect.arrayContaining(['learning_rate = 0.01', 'num_epochs = 1000']))
    // skorch's net takes the window's lr and epochs; the grid's lists are the grid's own
    const grid = lessonCode((await service.getLesson('grid-search')).code, { lr: 0.03, epochs: 300, batchSize: 2, shuffle: false, dropLast: false }).map((l) => l.text)
    expect(grid).toEqual(expect.arrayContaining(['    max_epochs=300,', '    lr=0.03,', "    'max_epochs': [10, 200, 500],", "    'lr': [0.02, 0.05, 0.08],"]))
  })
})
