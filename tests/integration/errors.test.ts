/**
 * Every failure reaches the student as its own sentence: from a search's fit worker through the
 * pool, from the service through the real bridge socket to the renderer's typed client, and
 * across any structured clone (worker messages, IPC), where a LabError becomes a plain object.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startBridge } from '../../src/main/bridge'
import type { FitJob } from '../../src/main/lab/search/fit'
import { shareFold, shareRows } from '../../src/main/lab/search/foldData'
import { FitPool } from '../../src/main/lab/search/pool'
import { INTERNAL_ADVICE, LabError, labError, toErrorInfo } from '../../src/shared/errors'
import { resolveModel } from '../../src/shared/modelSpec'
import { trainConfigSchema } from '../../src/shared/schemas'
import { clientFromWire, createWire, type Envelope } from '../../src/shared/wire'
import { createService, tempDir } from '../helpers/lab'

describe('a fit worker’s error', () => {
  it('rejects the pool’s run with the worker’s sentence (not lost, not [object Object])', async () => {
    const model = resolveModel({ kind: 'linear' }, 1, 1)
    const rows = { n: 4, x: Float32Array.of(1, 2, 3, 4), y: Float32Array.of(0, 1, 0, 1) }
    // r2 cannot score a classifier: fit() refuses inside the worker thread
    const job: FitJob = {
      id: 0,
      row: 0,
      fold: 0,
      model,
      train: trainConfigSchema.parse({ optimizer: { name: 'SGD', lr: 0.01 }, epochs: 1, batchSize: 2, loss: 'BCEWithLogitsLoss' }),
      initSeed: 0,
      data: shareRows(rows, 1),
      rows: shareFold({ train: [0, 1, 2, 3], test: [0, 1, 2, 3] }),
      standardise: false,
      scoring: 'r2',
      engine: 'dense',
      backend: 'auto',
    }
    const pool = new FitPool(1)
    const failure = await pool.run([job], () => undefined).done.catch((err: unknown) => err)
    pool.dispose()
    expect(failure).toBeInstanceOf(LabError)
    const info = toErrorInfo(failure)
    expect(info).toEqual({ code: 'INTERNAL', message: `Something went wrong inside TorchLab: r2 scores regression; use accuracy for classification. ${INTERNAL_ADVICE}` })
  })
})

describe('a LabError that crossed a structured clone', () => {
  it('keeps its code, sentence, row and column', () => {
    const original = labError('CSV_BAD_NUMBER', 'Row 3 of column "wt" holds "abc", which is not a number.', { row: 3, column: 'wt' })
    expect(toErrorInfo(structuredClone(original.info))).toEqual(original.info)
  })
  it('of any other kind keeps its message', () => {
    expect(toErrorInfo({ message: 'the disk is full' }).message).toBe(`Something went wrong inside TorchLab: the disk is full. ${INTERNAL_ADVICE}`)
    // one full stop, whether or not the fault's own words end in one
    expect(toErrorInfo(new Error('the disk is full.')).message).toBe(`Something went wrong inside TorchLab: the disk is full. ${INTERNAL_ADVICE}`)
    expect(toErrorInfo({ code: 'NOT_A_CODE', message: 'odd' }).code).toBe('INTERNAL')
    expect(toErrorInfo(structuredClone(new TypeError('x is undefined'))).message).toBe(`Something went wrong inside TorchLab: x is undefined. ${INTERNAL_ADVICE}`)
  })
})

describe('a service error over the bridge', () => {
  const service = createService()
  afterAll(() => service.dispose())

  it('arrives in the renderer’s client as the same typed LabError', async () => {
    const bridge = await startBridge(service, tempDir('torchlab-renderer-'))
    const url = new URL(bridge.url)
    const ws = new WebSocket(`ws://${url.host}/lab?token=${url.searchParams.get('token')}`, { headers: { origin: url.origin } })
    await new Promise((resolve) => ws.once('open', resolve))
    const pending = new Map<number, (e: Envelope<unknown>) => void>()
    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as { id?: number; envelope?: Envelope<unknown> }
      if (reply.id !== undefined && reply.envelope) pending.get(reply.id)?.(reply.envelope)
    })
    let nextId = 1
    const client = clientFromWire(
      createWire(
        (method, args) =>
          new Promise((resolve) => {
            const id = nextId++
            pending.set(id, resolve)
            ws.send(JSON.stringify({ id, method, args }))
          }),
        () => () => undefined,
      ),
    )
    const csv = join(tempDir('torchlab-errors-'), 'ragged.csv')
    writeFileSync(csv, 'wt,mpg\n1,2\n3\n')
    // the preview shows a ragged file; preparing it for training refuses the row by its line
    const failure = await client.prepareDataset({ source: { kind: 'file', path: csv }, features: ['wt'], target: 'mpg' }).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(LabError)
    expect((failure as LabError).info).toMatchObject({ code: 'CSV_RAGGED_ROW', line: 3, message: expect.stringMatching(/^Line 3 has 1 value but the header has 2/) })
    ws.close()
    await bridge.close()
  })
})
