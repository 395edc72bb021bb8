/**
 * The training thread: builds the engine, runs the loop at the chosen pace, keeps the latest
 * state and the decimated series, and reports them at most ~30 times a second (never per
 * epoch), then stays to answer predictions for evaluation.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { toErrorInfo } from '../../../shared/errors'
import type { EpochRecord, RunStatus } from '../../../shared/api'
import { DecimatedSeries } from '../../../shared/series'
import { batchCount } from '../data/dataloader'
import { selectBackend } from '../engine/tfjs/backend'
import { createEngine } from '../engine/select'
import type { Engine } from '../engine/engine'
import { runTraining, type Gate } from './loop'
import { CMD, CONTROL, seriesLayout, type TrainStart, type WorkerMessage, type WorkerRequest, type WorkerStart } from './protocol'

const FLUSH_MS = 33
/** a paced run that fell this far behind (a slow step) starts its schedule again rather than rushing to catch up */
const PACE_SLACK_MS = 100

const port = parentPort!
const start = workerData as WorkerStart
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer)

function progressReporter(train: TrainStart, startedAt: number) {
  const layout = seriesLayout(train)
  const epochSeries = new DecimatedSeries(1 + (layout.validation ? 1 : 0) + layout.parameters, 'sample')
  const stepSeries = new DecimatedSeries(1, 'mean')
  const row = new Float64Array(epochSeries.width)
  const stepRow = new Float64Array(1)
  let sent = { epochs: 0, steps: 0 }
  let trainLosses: number[] = []
  let valLosses: number[] = []
  let latest: EpochRecord | undefined
  let step = 0
  let lastFlush = 0
  let pausedFor = 0
  let current: RunStatus = 'running'
  const active = (): number => (performance.now() - startedAt - pausedFor) / 1000
  const flush = (status: RunStatus = current): void => {
    current = status
    const epochs = epochSeries.since(sent.epochs)
    const steps = stepSeries.since(sent.steps)
    sent = { epochs: epochSeries.last, steps: stepSeries.last }
    const losses = Float64Array.from(trainLosses)
    const valLossArray = Float64Array.from(valLosses)
    post(
      {
        type: 'progress',
        status,
        epoch: latest?.epoch ?? 0,
        step,
        elapsedSeconds: active(),
        trainLoss: latest?.trainLoss,
        valLoss: latest?.valLoss,
        params: latest?.params,
        trainLosses: losses,
        valLosses: valLossArray,
        epochSeries: epochs,
        stepSeries: steps,
      },
      [losses.buffer, valLossArray.buffer],
    )
    trainLosses = []
    valLosses = []
    lastFlush = performance.now()
  }
  return {
    sink: {
      step(loss: number) {
        step++
        stepRow[0] = loss
        stepSeries.add(stepRow)
        if (performance.now() - lastFlush >= FLUSH_MS) flush()
      },
      epoch(record: EpochRecord) {
        latest = record
        trainLosses.push(record.trainLoss)
        row[0] = record.trainLoss
        if (record.valLoss !== undefined) {
          valLosses.push(record.valLoss)
          row[1] = record.valLoss
        }
        if (layout.parameters > 0 && record.params) row.set(record.params, row.length - layout.parameters)
        epochSeries.add(row)
      },
    },
    flush,
    /** flushes if a frame's time has passed: a paced or paused run still reports ~30 times a second */
    tick(): void {
      if (performance.now() - lastFlush >= FLUSH_MS) flush()
    },
    active,
    addPause(ms: number) {
      pausedFor += ms
    },
  }
}

/**
 * Decides before every step: stop, run, or wait (paused, or ahead of the pace). Every wait
 * sleeps on the control sequence, so a command wakes it at once.
 */
function gateFor(control: Int32Array, reporter: ReturnType<typeof progressReporter>, stepsPerEpoch: number): Gate {
  let paused = false
  let stepped = false
  // the pace's schedule: steps taken since `since`, restarted whenever the pace changes or the run pauses
  let schedule = { since: performance.now(), steps: 0, pace: -1 }
  return () => {
    if (stepped) {
      // a single step taken while paused is shown at once
      stepped = false
      reporter.flush()
    }
    for (;;) {
      // read the sequence first: a command written after this read changes it, so the waits below cannot miss it
      const seq = Atomics.load(control, CONTROL.SEQ)
      const cmd = Atomics.load(control, CONTROL.CMD)
      if (cmd === CMD.STOP) return 'stop'
      if (cmd === CMD.RUN) {
        if (paused) {
          paused = false
          schedule = { since: performance.now(), steps: 0, pace: -1 }
          reporter.flush('running')
        }
        const pace = Atomics.load(control, CONTROL.PACE)
        const now = performance.now()
        if (pace !== schedule.pace) schedule = { since: now, steps: 0, pace }
        if (pace === 0) return 'run'
        const due = schedule.since + (schedule.steps / (pace * stepsPerEpoch)) * 1000
        if (now >= due) {
          if (now - due > PACE_SLACK_MS) schedule = { since: now, steps: 0, pace }
          schedule.steps++
          return 'run'
        }
        Atomics.wait(control, CONTROL.SEQ, seq, Math.min(due - now, FLUSH_MS))
        reporter.tick()
        continue
      }
      if (!paused) {
        paused = true
        reporter.flush('paused')
      }
      if (Atomics.load(control, CONTROL.CREDITS) > 0) {
        Atomics.sub(control, CONTROL.CREDITS, 1)
        stepped = true
        return 'run'
      }
      const t0 = performance.now()
      Atomics.wait(control, CONTROL.SEQ, seq, 100)
      reporter.addPause(performance.now() - t0)
    }
  }
}

async function train(start: TrainStart): Promise<void> {
  let engine: Engine
  try {
    engine = await createEngine(start.engine, start.engineChoice, start.backend)
  } catch (err) {
    post({ type: 'failed', error: { code: 'ENGINE_FAILED', message: `The training engine could not start: ${toErrorInfo(err).message}` } })
    return
  }
  post({ type: 'ready', info: engine.info })
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'predict') {
      const output = engine.predict(request.x, request.n)
      post({ type: 'prediction', id: request.id, output }, [output.buffer as ArrayBuffer])
    }
  })
  const control = new Int32Array(start.control)
  const reporter = progressReporter(start, performance.now())
  const stepsPerEpoch = Math.max(1, batchCount(start.data.train.n, start.train.batchSize, start.train.dropLast))
  try {
    const result = runTraining(engine, start.data, start.train, gateFor(control, reporter, stepsPerEpoch), reporter.sink)
    reporter.flush(result.status)
    post({
      type: 'done',
      status: result.status,
      epochsCompleted: result.epochsCompleted,
      steps: result.steps,
      divergence: result.divergence,
      seconds: reporter.active(),
      stateDict: engine.stateDict(),
      optimizerState: engine.optimizerState(),
    })
  } catch (err) {
    post({ type: 'failed', error: toErrorInfo(err) })
  }
}

async function main(): Promise<void> {
  if (start.kind === 'probe') {
    try {
      post({ type: 'ready', info: await selectBackend(start.backend) })
    } catch (err) {
      post({ type: 'failed', error: { code: 'ENGINE_FAILED', message: toErrorInfo(err).message } })
    }
    return
  }
  await train(start)
}

void main()
