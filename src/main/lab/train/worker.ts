/**
 * The training thread: builds the engine, runs the loop behind its control gate with a
 * progress reporter as the loop's sink, then stays to answer predictions for evaluation,
 * and to train the next run if the finished one hands the thread over. A spare thread starts
 * with no run and waits for its first.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { toErrorInfo } from '../../../shared/errors'
import { assertNever } from '../../../shared/exhaustive'
import { batchCount } from '../data/dataloader'
import { createEngine } from '../engine/select'
import type { Engine } from '../engine/engine'
import { ControlGate } from './gate'
import { runTraining } from './loop'
import { FLUSH_MS, ProgressReporter } from './progress'
import { warmUp } from './warmUp'
import { seriesLayout, type ServeStart, type TrainStart, type WorkerMessage, type WorkerRequest, type WorkerStart } from './protocol'

const port = parentPort!
const start = workerData as WorkerStart
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer)
const clock = (): number => performance.now()

/** the engine of the thread's latest run (or served model): predictions come from it */
let current: Engine | undefined
let listening = false
/** a spare thread with no run yet: it warms up meanwhile */
let waiting = false

/**
 * Requests once a model exists: predictions from the current engine, and the next run's start
 * when a finished run hands this thread over (warm, so its first steps are not interpreted).
 */
function answerRequests(): void {
  if (listening) return
  listening = true
  port.on('message', (request: WorkerRequest) => {
    switch (request.type) {
      case 'predict': {
        let output: Float32Array
        try {
          output = current!.predict(request.x, request.n)
        } catch (err) {
          // thrown here, it would end the thread and every prediction waiting on it
          post({ type: 'predictionFailed', id: request.id, error: toErrorInfo(err) })
          return
        }
        post({ type: 'prediction', id: request.id, output }, [output.buffer as ArrayBuffer])
        return
      }
      case 'train':
        void train(request.start)
        return
      default:
        assertNever(request, 'worker request')
    }
  })
}

/** a finished run's model in eval mode, as its training left it */
async function serve(start: ServeStart): Promise<void> {
  try {
    current = await createEngine(start.engine, start.engineChoice, start.backend)
    current.eval()
    answerRequests()
  } catch (err) {
    post({ type: 'failed', error: toErrorInfo(err) })
  }
}

async function train(start: TrainStart): Promise<void> {
  waiting = false
  current?.dispose()
  current = undefined
  let engine: Engine
  try {
    engine = await createEngine(start.engine, start.engineChoice, start.backend)
  } catch (err) {
    post({ type: 'failed', error: { code: 'ENGINE_FAILED', message: `The training engine could not start: ${toErrorInfo(err).message}` } })
    return
  }
  current = engine
  post({ type: 'ready', info: engine.info })
  answerRequests()
  runOn(engine, start, post)
}

/** a run on its built engine, its messages sent through `send`: a student's run, or a warm-up's whose messages go nowhere */
function runOn(engine: Engine, start: TrainStart, send: (message: WorkerMessage) => void): void {
  const control = new Int32Array(start.control)
  // a report's losses are copied, not transferred: the first buffer a thread detaches makes V8
  // throw away every optimised typed-array access in it, the next run's steps included
  const reporter = new ProgressReporter(seriesLayout(start), (report) => send({ type: 'progress', ...report }), clock)
  const stepsPerEpoch = Math.max(1, batchCount(start.data.train.n, start.train.batchSize, start.train.dropLast))
  try {
    const result = runTraining(engine, start.data, start.train, new ControlGate(control, reporter, stepsPerEpoch, clock, FLUSH_MS), reporter)
    reporter.flush(result.status)
    send({
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
    send({ type: 'failed', error: toErrorInfo(err) })
  }
}

/** a spare thread's wait: warm-up runs (warmUp.ts) until its first run arrives, then a word to say it is warm */
async function warmWhileWaiting(control: SharedArrayBuffer): Promise<void> {
  waiting = true
  const warm = await warmUp(
    async (start) => {
      const engine = await createEngine(start.engine, start.engineChoice, start.backend)
      runOn(engine, start, () => {})
      engine.dispose()
    },
    () => waiting,
    control,
  ).catch(() => false)
  if (warm) post({ type: 'warm' })
}

async function main(): Promise<void> {
  if (start.kind === 'probe') {
    try {
      // tfjs is loaded only by the threads that use it: it costs a thread ~100 MB and its start-up
      const { selectBackend } = await import('../engine/tfjs/backend')
      post({ type: 'ready', info: await selectBackend(start.backend) })
    } catch (err) {
      post({ type: 'failed', error: { code: 'ENGINE_FAILED', message: toErrorInfo(err).message } })
    }
    return
  }
  if (start.kind === 'serve') return serve(start)
  if (start.kind === 'spare') {
    answerRequests()
    return warmWhileWaiting(start.control)
  }
  await train(start)
}

void main()
