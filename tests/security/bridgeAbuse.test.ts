/**
 * The bridge's WebSocket against a flood, a client that leaves mid-run, and requests built to
 * break it: every request gets its own answer, the machine's limits hold, the server stays up,
 * and no answer carries a stack trace or a path of TorchLab's own.
 */
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { MAX_ACTIVE_RUNS } from '../../src/main/lab/limits'
import type { Envelope } from '../../src/shared/wire'
import { useBridge } from '../helpers/bridgeHarness'
import { ROOT } from '../helpers/lab'

const lab = useBridge()

interface Reply {
  id?: unknown
  envelope?: Envelope<unknown>
  event?: unknown
}

/** a socket whose answers are collected by request id */
async function connect(): Promise<{ ws: WebSocket; call: (method: unknown, args?: unknown, extra?: object) => Promise<Envelope<unknown>>; send: (text: string) => Promise<Reply> }> {
  const ws = new WebSocket(lab.socketUrl, { headers: { origin: lab.origin } })
  const waiting = new Map<unknown, (reply: Reply) => void>()
  const unnamed: ((reply: Reply) => void)[] = []
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as Reply
    if (reply.event) return
    const answer = reply.id === null ? unnamed.shift() : waiting.get(reply.id)
    waiting.delete(reply.id)
    answer?.(reply)
  })
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject))
  let next = 0
  const call = (method: unknown, args: unknown = [], extra: object = {}) =>
    new Promise<Envelope<unknown>>((resolve) => {
      const id = `r${next++}`
      waiting.set(id, (reply) => resolve(reply.envelope!))
      ws.send(JSON.stringify({ id, method, args, ...extra }))
    })
  const send = (text: string) =>
    new Promise<Reply>((resolve) => {
      unnamed.push(resolve)
      ws.send(text)
    })
  return { ws, call, send }
}

const longRun = {
  dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' },
  train: { optimizer: { name: 'SGD', lr: 0.001 }, epochs: 1_000_000, batchSize: 2 },
}

async function stopAll(call: (method: unknown, args?: unknown) => Promise<Envelope<unknown>>): Promise<void> {
  const running = await call('listRuns')
  for (const run of (running as { value: { runId: string }[] }).value) {
    await call('controlRun', [{ runId: run.runId, action: 'stop' }])
    // a stop is answered at once; the run counts as active until its worker has ended, which takes longer on a loaded machine
    await call('waitForRun', [run.runId])
  }
}

describe('a flood of requests on one socket', () => {
  it(`answers each by its id, starts no more than ${MAX_ACTIVE_RUNS} runs, and keeps serving`, async () => {
    const { ws, call } = await connect()
    const starts = Array.from({ length: 40 }, () => call('startTraining', [longRun]))
    const others = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? call('getRun', [`run-${1000 + i}`]) : i % 3 === 1 ? call('listDatasets') : call('noSuchMethod')))
    const answered = await Promise.all(starts)
    expect(answered.filter((e) => e.ok)).toHaveLength(MAX_ACTIVE_RUNS)
    expect(answered.filter((e) => !e.ok).map((e) => (e as { error: { code: string } }).error.code)).toEqual(Array(40 - MAX_ACTIVE_RUNS).fill('RUN_BUSY'))
    const rest = await Promise.all(others)
    expect(rest.filter((e) => e.ok)).toHaveLength(100)
    expect(rest.filter((e) => !e.ok && /^There is no run "run-\d+"/.test(e.error.message))).toHaveLength(100)
    expect(rest.filter((e) => !e.ok && e.error.message === 'TorchLab has no operation "noSuchMethod".')).toHaveLength(100)
    await stopAll(call)
    ws.close()
  }, 120_000)
})

describe('a client that leaves mid-run', () => {
  it('leaves its run to whoever connects next, which can see and stop it', async () => {
    const first = await connect()
    const started = await first.call('startTraining', [longRun])
    expect(started.ok).toBe(true)
    const { runId } = (started as { value: { runId: string } }).value
    // gone without a closing handshake, while the run sends it progress
    first.ws.terminate()
    await new Promise((r) => setTimeout(r, 300))
    const second = await connect()
    const running = await second.call('listRuns')
    expect((running as { value: { runId: string }[] }).value.map((r) => r.runId)).toContain(runId)
    // a run still starting on a busy machine answers 'starting' and stops as soon as it has begun
    expect(await second.call('controlRun', [{ runId, action: 'stop' }])).toMatchObject({ ok: true, value: { status: expect.stringMatching(/^(starting|stopped)$/) } })
    expect(await second.call('waitForRun', [runId])).toMatchObject({ ok: true, value: { status: 'stopped' } })
    second.ws.close()
  }, 60_000)
})

describe('requests built to break the server', () => {
  it('are each answered with a sentence, without a stack trace or a path of TorchLab’s own', async () => {
    const { ws, call, send } = await connect()
    const answers = [
      await call('__proto__'),
      await call('constructor'),
      await call('hasOwnProperty', ['getRun']),
      await call('getRun', { length: 1, 0: 'run-1' }),
      await call('getRun', [{ toString: 'run-1' }]),
      await call('startTraining', [JSON.parse(`{"__proto__": {"polluted": true}, "dataset": 1}`)]),
      await call('startTraining', [{ ...longRun, constructor: { prototype: { polluted: true } } }]),
      await call('updateSettings', [JSON.parse('{"__proto__": {"theme": "dark"}}')]),
      await call('openCheckpoint', ['\u0000/etc/passwd']),
      await call('getBackend', [1, 2, 3]),
      await call('getBackend'),
      (await send('{"id": null, "method": "getRun", "args": ["x"]}')).envelope!,
      (await send('{"method": "getRun"')).envelope!,
    ]
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    for (const answer of answers) {
      const text = JSON.stringify(answer)
      expect(text).not.toMatch(/\\n\s+at |node_modules|\.ts\b|\.js\b/)
      expect(text).not.toContain(ROOT)
      if (!answer.ok) expect(answer.error.message).toMatch(/^[A-Z"].*[.?]$/)
    }
    expect(answers[7]).toMatchObject({ ok: false, error: { message: 'Invalid settings. The request has no setting called "__proto__"; it takes lastDataset, lastModel, lastTrain, lastEngine, lastPace, lastSearch, windowBounds, theme, recentFiles, lessonProgress.' } })
    expect(answers[8]).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'Invalid file request. A file path cannot hold the NUL character (\\0): no file has such a name.' } })
    // and it still serves
    expect(await call('listDatasets')).toMatchObject({ ok: true })
    ws.close()
  }, 60_000)
})

describe('the HTTP side', () => {
  it('refuses a wrong token, another origin, another method and an address outside the window in sentences', async () => {
    const token = lab.token
    const refused = async (path: string, init: RequestInit) => {
      const response = await fetch(`${lab.origin}${path}`, init)
      return { status: response.status, body: await response.text() }
    }
    expect(await refused('/upload?token=nope', { method: 'POST', body: 'x' })).toEqual({ status: 403, body: 'This upload does not carry the token of this TorchLab page. Open the address TorchLab printed when it started.' })
    expect(await refused(`/upload?token=${token}`, { method: 'POST', body: 'x', headers: { origin: 'http://evil.example' } })).toEqual({ status: 403, body: 'Uploads are taken only from the TorchLab page this server serves.' })
    expect(await refused('/', { method: 'DELETE' })).toEqual({ status: 405, body: "TorchLab's server shows its window's files and takes uploads; it does nothing else." })
    expect(await refused('/no-such-file.js', { method: 'GET' })).toEqual({ status: 404, body: "There is no such file in TorchLab's window." })
  })
})
