/**
 * What a spare training thread does while it waits for its first run: the course's run
 * (Linear(1, 1), SGD, MSELoss, batches of 2, 1000 epochs) on made-up rows, through the same
 * engine, loop, gate and reporter as a student's run, its messages dropped. V8 optimises a
 * function only after running it many times: a fresh thread's first course run takes about
 * 60 ms where a warm thread's takes 4, so without this the student's first run would be the
 * slowest, and the only slow one.
 */
import { trainConfigSchema } from '../../../shared/schemas'
import { engineConfig } from '../engine/engine'
import { initialStateDict } from '../model/init'
import { trainStart, type TrainStart } from './protocol'

/** measured: after two warm-up runs a thread's next run was still ~30% slower than its later ones, after three it was not */
const RUNS = 3
const ROWS = 32

/** a warm-up run's start: its own rows, weights and control words (the spare's, which stop it when a run arrives), so nothing of it reaches a student's run */
function warmUpStart(control: SharedArrayBuffer): TrainStart {
  const train = trainConfigSchema.parse({ optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize: 2 })
  const model = { kind: 'linear' as const, inFeatures: 1, outFeatures: 1 }
  const x = Float32Array.from({ length: ROWS }, (_, i) => (i % 8) / 4 - 1)
  const y = Float32Array.from(x, (v) => 3 * v + 1)
  const start = trainStart(control, {
    backend: 'auto',
    engineChoice: 'dense',
    engine: engineConfig(model, train, initialStateDict(model, train.seed), undefined),
    train,
    data: { train: { n: ROWS, x, y }, val: { n: 0, x: new Float32Array(0), y: new Float32Array(0) }, features: 1 },
  })
  // a student's start arrives through postMessage, and V8 gives the objects its deserialiser
  // builds other hidden classes than literals get: built here as literals, the warm-up's code
  // was thrown away at the first step of the run it was warming for
  return structuredClone(start)
}

/**
 * Warm-up runs until `stillWaiting` says a run has arrived; the thread hears its requests
 * between two, and a run in progress ends at once when `control` says stop. True when all of them ran.
 */
export async function warmUp(runOne: (start: TrainStart) => Promise<void>, stillWaiting: () => boolean, control: SharedArrayBuffer): Promise<boolean> {
  for (let i = 0; i < RUNS; i++) {
    await new Promise((resolve) => setImmediate(resolve))
    if (!stillWaiting()) return false
    await runOne(warmUpStart(control))
  }
  return stillWaiting()
}
