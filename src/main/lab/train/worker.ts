/**
 * The training thread: builds the engine, runs the loop, streams coalesced progress
 * (at most ~30 messages a second), then stays to answer predictions for evaluation.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { toErrorInfo } from '../../../shared/errors'
import type { EpochRecord, RunStatus } from '../../../shared/api'
import { selectBackend } from '../engine/tfjs/backend'
import { createEngine } from '../engine/select'
import type { Engine } from '../engine/engine'
import { runTraining, type Gate } from './loop'
import { CMD, CONTROL, type WorkerMessage, type WorkerRequest, type WorkerStart } from './protocol'

const FLUSH_MS = 33

const port = parentPort!
const start = workerData as WorkerStart
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer)

function progressReporter(startedAt: number) {
  let epochs: EpochRecord[] = []
  let stepLosses: number[] = []
  let epoch = 0
  let step = 0
  let lastFlush = 0
  let pausedFor = 0
  let current: RunStatus = 'running'
  const flush = (status: RunStatus = current): void => {
    current = status
    post({ type: 'progress', status, epoch, step, epochs, stepLosses, elapsedSeconds: active() })
    epochs = []
    stepLosses = []
    lastFlush = performance.now()
  }
  const active = (): number => (performance.now() - startedAt - pausedFor) / 1000
  return {
    sink: {
      step(loss: number) {
        step++
        stepLosses.push(loss)
        if (performance.now() - lastFlush >= FLUSH_MS) flush()
      },
      epoch(record: EpochRecord) {
        epoch = record.epoch
        epochs.push(record)
      },
    },
    flush,
    active,
    addPause(ms: number) {
      pausedFor += ms
    },
  }
}

function gateFor(control: Int32Array, reporter: ReturnType<typeof progressReporter>): Gate {
  let paused = false
  let stepped = false
  return () => {
    if (stepped) {
      // a single step taken while paused is shown at once
      stepped = false
      reporter.flush()
    }
    for (;;) {
      // read the sequence first: a command written after this read changes it, so the wait below cannot miss it
      const seq = Atomics.load(control, CONTROL.SEQ)
      const cmd = Atomics.load(control, CONTROL.CMD)
      if (cmd === CMD.STOP) return 'stop'
      if (cmd === CMD.RUN) {
        if (paused) {
          paused = false
          reporter.flush('running')
        }
        return 'run'
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

async function main(): Promise<void> {
  if (start.kind === 'probe') {
    try {
      post({ type: 'ready', info: await selectBackend(start.backend) })
    } catch (err) {
      post({ type: 'failed', error: { code: 'ENGINE_FAILED', message: toErrorInfo(err).message } })
    }
    return
  }
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
  const startedAt = performance.now()
  const reporter = progressReporter(startedAt)
  try {
    const result = runTraining(engine, start.data, start.train, gateFor(control, reporter), reporter.sink)
    reporter.flush(result.status)
    post({ type: 'done', ...result, seconds: reporter.active(), stateDict: engine.stateDict(), optimizerState: engine.optimizerState() })
  } catch (err) {
    post({ type: 'failed', error: toErrorInfo(err) })
  }
}

void main()
