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
    expect(views.map((v) => v.code)).toEqual(['optimizer.zero_grad()', 'y_pred = model(X_batch)', 'loss = loss_fun(y_pred, y_batch)', 'loss.backward()', 'optimizer.step()'])
    // each phase's line is the DataLoader lecture's own, as the lesson beside the Step view prints it
    const lecture = (await service.getLesson('dataloader')).code.map((line) => line.trim())
    for (const v of views) expect(lecture).toContain(v.code)
    expect(views[1].formulas).toEqual(['rows 0, 1 of the training set'])
    expect(views[3].values.map((v) => v.name)).toEqual(['linear.weight.grad', 'linear.bias.grad'])
    expect(views[0].values.map((v) => v.value)).toEqual(['[0]', '[0]'])
  })

  it('nn.Module: the loss with the batch’s outputs and targets, and optimizer.step() as lr × gradient', async () => {
    const trace = await service.stepRun({ kind: 'module', request: course({}), steps: 1 })
    const [step] = trace.steps
    // the first two cars' mpg, as the DataLoader hands them to the loss
    expect(step.targets).toEqual([21, 21])
    const [o1, o2] = step.outputs
    const loss = phaseView(trace, 0, MODULE_PHASES.indexOf('loss'))
    expect(loss.formulas).toEqual([`L = mean((ŷ − y)²) = ((${Number(o1.toPrecision(6))} − 21)² + (${Number(o2.toPrecision(6))} − 21)²) / 2 = ${Number(step.loss.toPrecision(6))}`])
    expect(((o1 - 21) ** 2 + (o2 - 21) ** 2) / 2).toBeCloseTo(step.loss, 3)
    expect(loss.values).toContainEqual({ name: 'y_batch', value: '[21, 21]' })

    const update = phaseView(trace, 0, MODULE_PHASES.indexOf('step')).formulas
    const w0 = (trace.initial['linear.weight'] as number[][])[0][0]
    const g = (step.grads['linear.weight'] as number[][])[0][0]
    const w1 = (step.params['linear.weight'] as number[][])[0][0]
    const n = (v: number) => Number(v.toPrecision(6))
    expect(update).toEqual(['SGD: p ← p − lr·p.grad', `linear.weight ← linear.weight − lr·linear.weight.grad = ${n(w0)} − 0.02·(${n(g)}) = ${n(w1)}`, expect.stringMatching(/^linear\.bias ← linear\.bias − lr·linear\.bias\.grad = /)])
    expect(g).toBeLessThan(0)
    expect(w0 - 0.02 * g).toBeCloseTo(w1, 5)
  })

  it('nn.Module: a classifier’s loss names each row’s class, and an optimizer other than SGD shows lr × gradient beside its move', async () => {
    const iris: DatasetSpecInput = { source: { kind: 'bundled', name: 'iris' }, features: ['petal_length', 'petal_width'], target: 'species' }
    const trace = await service.stepRun({ kind: 'module', request: { dataset: iris, model: { kind: 'linear' }, train: { loss: 'CrossEntropyLoss', optimizer: { name: 'Adam', lr: 0.01 }, epochs: 1, batchSize: 8 } }, steps: 1 })
    const [step] = trace.steps
    expect(step.targets).toHaveLength(8)
    expect(step.outputs).toHaveLength(24)
    const [formula] = phaseView(trace, 0, MODULE_PHASES.indexOf('loss')).formulas
    const first = step.outputs.slice(0, 3).map((v) => Number(v.toPrecision(6))).join(', ')
    expect(formula).toContain(`= (−log softmax([${first}])[${step.targets[0]}] + `)
    expect(formula).toMatch(new RegExp(`… \\(8 terms\\)\\) / 8 = ${Number(step.loss.toPrecision(6))}$`.replace(/\./g, '\\.')))
    const update = phaseView(trace, 0, MODULE_PHASES.indexOf('step')).formulas
    expect(update[0]).toMatch(/^Adam: p ← p − lr·m̂ \/ \(√v̂ \+ eps\)/)
    expect(update[1]).toMatch(/^linear\.weight\[0\]: lr·grad = 0\.01·.* the step moved it .*\(the first of its 6 values\)$/)
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
