/**
 * The training loop's per-step path: the control gate answers from one atomic read yet never
 * misses a command, the progress reporter reads the clock about once a millisecond however
 * cheap a step is (and at every step when steps are slow), and batches are gathered into
 * reused views. With the real dense engine and the course's data.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/main/lab/data/csv'
import type { NumericColumn } from '../../src/main/lab/data/table'
import { DenseEngine } from '../../src/main/lab/engine/dense/engine'
import { initialStateDict } from '../../src/main/lab/model/init'
import { ControlGate } from '../../src/main/lab/train/gate'
import { ALWAYS_RUN, BatchGather, runTraining } from '../../src/main/lab/train/loop'
import { FLUSH_MS, ProgressReporter } from '../../src/main/lab/train/progress'
import { CMD, CONTROL, CONTROL_WORDS, type ProgressReport } from '../../src/main/lab/train/protocol'
import { resolveModel } from '../../src/shared/modelSpec'
import { lossSpecOf } from '../../src/shared/catalog/losses'
import { trainConfigSchema } from '../../src/shared/schemas'
import { DATASETS } from '../helpers/lab'

function cars() {
  const table = parseCsv(readFileSync(join(DATASETS, 'cars.csv'), 'utf8'), {
    delimiter: '',
    header: 'auto',
    decimal: '.',
    encoding: 'utf-8',
  })
  const column = (name: string) =>
    Float32Array.from((table.columns.find((c) => c.name === name) as NumericColumn).values)
  const x = column('wt')
  return { x, y: column('mpg'), n: x.length }
}

const train = cars()
const none = { x: new Float32Array(0), y: new Float32Array(0), n: 0 }
const config = trainConfigSchema.parse({ optimizer: { name: 'SGD', lr: 0.02 }, epochs: 50, batchSize: 2 })
const model = resolveModel({ kind: 'linear' }, 1, 1)
const engine = () =>
  new DenseEngine({
    model,
    loss: lossSpecOf(config),
    optimizer: config.optimizer,
    initial: initialStateDict(model, 0),
    seed: 0,
  })

/** a clock the test moves: each step "costs" stepMs; counts how often it is read */
function steppedClock(stepMs: number) {
  const clock = { now: 0, reads: 0, read: () => (clock.reads++, clock.now), advance: () => (clock.now += stepMs) }
  return clock
}

describe('the per-step path', () => {
  it('reads the clock about once a millisecond on cheap steps, and reports every ~33 ms with every epoch’s loss once', () => {
    const clock = steppedClock(0.002)
    const reports: ProgressReport[] = []
    const reporter = new ProgressReporter({ validation: false, parameters: 2 }, (r) => reports.push(r), clock.read)
    const sink = {
      step: (loss: number) => (clock.advance(), reporter.step(loss)),
      epoch: reporter.epoch.bind(reporter),
    }
    const result = runTraining(
      engine(),
      { train, val: none, features: 1 },
      { ...config, epochs: 1000 },
      ALWAYS_RUN,
      sink,
    )
    reporter.flush('completed')

    expect(result.steps).toBe(16_000)
    // 32 ms of simulated steps: about one read a millisecond, not one a step
    expect(clock.reads).toBeGreaterThan(16)
    expect(clock.reads).toBeLessThan(200)
    expect(reports.at(-1)!.step).toBe(16_000)
    expect(reports.flatMap((r) => Array.from(r.trainLosses))).toEqual(result.lossHistory)
    expect(reports.at(-1)!.params).toHaveLength(2)
  })

  it('reads the clock at every step when steps are slow, and reports as soon as a frame has passed', () => {
    const clock = steppedClock(FLUSH_MS + 1)
    const reports: ProgressReport[] = []
    const reporter = new ProgressReporter({ validation: false, parameters: 0 }, (r) => reports.push(r), clock.read)
    for (let i = 0; i < 10; i++) {
      clock.advance()
      reporter.step(1)
    }
    expect(reports.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('answers from the control words without missing a command written between two steps', () => {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4))
    const flushed: (string | undefined)[] = []
    const gate = new ControlGate(
      control,
      { flush: (s) => flushed.push(s), tick: () => undefined, addPause: () => undefined },
      16,
      () => performance.now(),
      FLUSH_MS,
    )
    for (let i = 0; i < 1000; i++) expect(gate.next()).toBe('run')
    // paused with one step's credit: that one step runs and the pause is reported
    Atomics.store(control, CONTROL.CMD, CMD.PAUSE)
    Atomics.store(control, CONTROL.CREDITS, 1)
    Atomics.add(control, CONTROL.SEQ, 1)
    expect(gate.next()).toBe('run')
    expect(flushed).toEqual(['paused'])
    Atomics.store(control, CONTROL.CMD, CMD.STOP)
    Atomics.add(control, CONTROL.SEQ, 1)
    expect(gate.next()).toBe('stop')
  })

  it('stops a run from the gate at the step it says, with the history so far', () => {
    let calls = 0
    const result = runTraining(
      engine(),
      { train, val: none, features: 1 },
      config,
      { next: () => (++calls > 100 ? 'stop' : 'run') },
      { step: () => undefined, epoch: () => undefined },
    )
    expect([result.status, result.steps, result.epochsCompleted]).toEqual(['stopped', 100, 6])
  })

  it('gathers a batch’s rows into the same views at every step, a short last batch into its own', () => {
    const gather = new BatchGather(train, 1, 3)
    const first = gather.gather(Int32Array.of(4, 0, 9))
    expect(Array.from(first.y)).toEqual([train.y[4], train.y[0], train.y[9]])
    const again = gather.gather(Int32Array.of(1, 2, 3))
    expect(again).toBe(first)
    expect(Array.from(again.x)).toEqual([train.x[1], train.x[2], train.x[3]])
    const short = gather.gather(Int32Array.of(31))
    expect(Array.from(short.x)).toEqual([train.x[31]])
    expect(short.y).toHaveLength(1)
  })
})
