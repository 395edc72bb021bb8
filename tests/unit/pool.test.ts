/**
 * The search's worker pool with real fit workers: warm from one batch to the next, rows shared
 * rather than copied, a cancel that ends one batch at once and leaves another running, and a
 * worker that dies turned into a sentence while the pool keeps serving.
 */
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import type { FitJob, FitResult } from '../../src/main/lab/search/fit'
import { foldSplits, shareFold, shareRows } from '../../src/main/lab/search/foldData'
import { FitPool } from '../../src/main/lab/search/pool'
import { startWorkerOf } from '../../src/main/lab/train/workerThread'
import { LabError } from '../../src/shared/errors'
import { resolveModel } from '../../src/shared/modelSpec'
import { trainConfigSchema } from '../../src/shared/schemas'
import { python } from '../helpers/python'

const x = Float32Array.from({ length: 12 }, (_, i) => 2 + Math.sin(i) * 1.5)
const y = Float32Array.from(x, (v, i) => 30 - 4 * v + Math.cos(i))
const rows = shareRows({ n: 12, x, y }, 1)
const folds = [shareFold({ train: [4, 5, 6, 7, 8, 9, 10, 11], test: [0, 1, 2, 3] }), shareFold({ train: [0, 1, 2, 3, 8, 9, 10, 11], test: [4, 5, 6, 7] })]

/** a fit of 1,000,000 epochs of batch 1 takes minutes: long enough to still be running when the test acts */
const LONG = 1_000_000

function job(id: number, epochs: number, fold = 0): FitJob {
  return {
    id,
    row: 0,
    fold,
    model: resolveModel({ kind: 'linear' }, 1, 1),
    train: trainConfigSchema.parse({ optimizer: { name: 'SGD', lr: 0.01 }, epochs, batchSize: epochs === LONG ? 1 : 4 }),
    initSeed: fold,
    data: rows,
    rows: folds[fold],
    standardise: true,
    scoring: 'r2',
    engine: 'dense',
    backend: 'auto',
  }
}

/** the workers that have begun to run their code */
const online = new WeakSet<Worker>()

/** a pool whose real fit workers the test can see */
function watchedPool(size: number): { pool: FitPool; started: Worker[] } {
  const started: Worker[] = []
  const pool = new FitPool(size, () => {
    const worker = startWorkerOf('fit', null)
    worker.once('online', () => online.add(worker))
    started.push(worker)
    return worker
  })
  pools.push(pool)
  return { pool, started }
}

const pools: FitPool[] = []
afterEach(() => {
  for (const pool of pools.splice(0)) pool.dispose()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** a moment after the pool's first worker exists: a LONG fit is well under way and far from done (the warm loop runs a million epochs of 8 rows in about 2.5 s) */
async function whileFirstFitRuns(started: Worker[]): Promise<void> {
  // from the worker's start, not the pool's call: under a CI's load a thread can take seconds to begin, and one ended before it began exits with code 0
  while (started.length === 0 || !online.has(started[0])) await sleep(20)
  await sleep(400)
}

describe('the fit pool', () => {
  it('keeps its workers from one batch to the next, and starts no more than its size', async () => {
    const { pool, started } = watchedPool(2)
    const first: FitResult[] = []
    await pool.run([job(0, 20), job(1, 20, 1), job(2, 20), job(3, 20, 1)], (r) => first.push(r)).done
    expect(first.map((r) => r.id).sort()).toEqual([0, 1, 2, 3])
    expect(started).toHaveLength(2)
    const second: FitResult[] = []
    await pool.run([job(4, 20), job(5, 20, 1)], (r) => second.push(r)).done
    expect(started).toHaveLength(2)
    // the same fit gives the same score in any worker, in any batch
    expect(second.find((r) => r.id === 4)!.score).toBe(first.find((r) => r.id === 0)!.score)
    expect(second.find((r) => r.id === 5)!.score).toBe(first.find((r) => r.id === 1)!.score)
  })

  it('runs at most a batch’s concurrency at once', async () => {
    const { pool, started } = watchedPool(2)
    await pool.run([job(0, 5), job(1, 5, 1), job(2, 5)], () => undefined, 1).done
    expect(started).toHaveLength(1)
  })

  it('cancels one batch at once, replaces its worker, and leaves the other batch running to the end', async () => {
    const { pool, started } = watchedPool(2)
    const long = pool.run([job(0, LONG), job(1, LONG)], () => undefined, 1)
    const kept: FitResult[] = []
    const other = pool.run([job(2, 200), job(3, 200, 1), job(4, 200)], (r) => kept.push(r), 1)
    await whileFirstFitRuns(started)
    const exited = new Promise((r) => started[0].once('exit', r))
    long.cancel()
    // settled without waiting for the fit in flight, whose worker is ended and replaced
    await long.done
    await exited
    await other.done
    expect(started).toHaveLength(3)
    expect(kept.map((r) => r.id).sort()).toEqual([2, 3, 4])
    expect(kept.every((r) => r.status === 'ok' && Number.isFinite(r.score))).toBe(true)
  })

  it('starts the worker a waiting batch needs after the cancel has returned, not during it', async () => {
    const { pool, started } = watchedPool(1)
    const long = pool.run([job(0, LONG)], () => undefined)
    const kept: FitResult[] = []
    const waiting = pool.run([job(1, 20)], (r) => kept.push(r))
    await whileFirstFitRuns(started)
    long.cancel()
    expect(started).toHaveLength(1)
    await long.done
    await waiting.done
    expect(started).toHaveLength(2)
    expect(kept.map((r) => r.id)).toEqual([1])
  })

  it('turns a worker that dies mid-fit into a sentence, and serves the next batch', async () => {
    const { pool, started } = watchedPool(1)
    const doomed = pool.run([job(0, LONG), job(1, 10)], () => undefined)
    await whileFirstFitRuns(started)
    await started[0].terminate()
    const failure = await doomed.done.catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(LabError)
    expect((failure as LabError).info.code).toBe('ENGINE_FAILED')
    expect((failure as LabError).message).toMatch(/^A search worker stopped while fitting \(it exited with code 1\), so the search was ended\. Start the search again/)
    const after: FitResult[] = []
    await pool.run([job(2, 10)], (r) => after.push(r)).done
    expect(after).toHaveLength(1)
    expect(started).toHaveLength(2)
  })

  it('names what a worker threw when it was not an Error (a string read "undefined")', async () => {
    // a thread that throws a string at its first job, as a fault in a worker's own code could
    const pool = new FitPool(1, () => new Worker(`require('node:worker_threads').parentPort.once('message', () => { throw 'the fit went wrong' })`, { eval: true }))
    pools.push(pool)
    const failure = await pool.run([job(0, 10)], () => undefined).done.catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(LabError)
    expect((failure as LabError).message).toMatch(/^A search worker stopped while fitting \(the fit went wrong\), so the search was ended\./)
  })

  it('refuses work once it is shut down', () => {
    const { pool } = watchedPool(1)
    pool.dispose()
    expect(() => pool.run([job(0, 5)], () => undefined)).toThrow(/shut down/)
  })
})

describe('a fold built from shared rows', () => {
  it('reaches a worker as the same memory, not a copy: what the worker writes, this thread reads', async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads')
parentPort.once('message', (job) => {
  job.data.x[0] = -12345
  job.rows.train[0] = 7
  parentPort.postMessage('written')
})`,
      { eval: true },
    )
    const [x0, train0] = [rows.x[0], folds[0].train[0]]
    try {
      worker.postMessage(job(0, 5))
      expect(await once(worker, 'message')).toEqual(['written'])
      expect([rows.x[0], folds[0].train[0]]).toEqual([-12345, 7])
    } finally {
      rows.x[0] = x0
      folds[0].train[0] = train0
      await worker.terminate()
    }
  })

  it('holds the rows the indices name, scaled as sklearn’s StandardScaler fitted on the training rows', async () => {
    const { train, test } = foldSplits(rows, folds[1], true)
    const sk = await python<{ train: number[]; test: number[] }>(
      `
import numpy as np
from sklearn.preprocessing import StandardScaler
x = np.array(INPUT['x'], dtype=np.float32).reshape(-1, 1)
s = StandardScaler().fit(x[INPUT['train']])
print(json.dumps({'train': s.transform(x[INPUT['train']]).ravel().tolist(), 'test': s.transform(x[INPUT['test']]).ravel().tolist()}))
`,
      { x: Array.from(x), train: Array.from(folds[1].train), test: Array.from(folds[1].test) },
    )
    Array.from(train.x).forEach((v, i) => expect(v).toBeCloseTo(sk.train[i], 5))
    Array.from(test.x).forEach((v, i) => expect(v).toBeCloseTo(sk.test[i], 5))
    expect(Array.from(test.y)).toEqual(Array.from(folds[1].test, (r) => y[r]))
    const plain = foldSplits(rows, folds[1], false)
    expect(Array.from(plain.train.x)).toEqual(Array.from(folds[1].train, (r) => x[r]))
  })
})
