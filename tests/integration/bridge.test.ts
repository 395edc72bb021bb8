/**
 * The browser harness's server against hostile and clumsy clients: every message gets an answer
 * or a clean close, the server stays up, uploads stay within their limit however they are sent,
 * only the server's own origin may connect, and its uploads folder goes when it closes.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startBridge } from '../../src/main/bridge'
import type { LabEvent } from '../../src/shared/api'
import type { Envelope } from '../../src/shared/wire'
import { useBridge } from '../helpers/bridgeHarness'
import { tempDir } from '../helpers/lab'

const MAX_UPLOAD = 1024 * 1024
const lab = useBridge({ maxUpload: MAX_UPLOAD })
writeFileSync(join(lab.outer, 'secret.txt'), 'not for the browser')

interface Reply {
  id?: unknown
  envelope?: Envelope<unknown>
  event?: LabEvent
}

/** A socket that collects every reply; `next` waits for the next one that is not an event. */
async function connect(headers: Record<string, string> = { origin: lab.origin }): Promise<{ ws: WebSocket; next: () => Promise<Reply>; events: LabEvent[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${lab.origin.replace('http', 'ws')}/lab?token=${lab.token}`, { headers, maxPayload: 0 })
  const replies: Reply[] = []
  const events: LabEvent[] = []
  let wake: (() => void) | undefined
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as Reply
    if (reply.event) events.push(reply.event)
    else replies.push(reply)
    wake?.()
  })
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const next = async (): Promise<Reply> => {
    while (!replies.length) await new Promise<void>((r) => (wake = r))
    return replies.shift()!
  }
  return { ws, next, events, closed }
}

async function stillServes(): Promise<void> {
  const { ws, next } = await connect()
  ws.send(JSON.stringify({ id: 'ping', method: 'listDatasets', args: [] }))
  const reply = await next()
  expect(reply.id).toBe('ping')
  expect(reply.envelope).toMatchObject({ ok: true, value: expect.arrayContaining([expect.objectContaining({ name: 'cars' })]) })
  ws.close()
}

describe('the bridge answers every message', () => {
  const malformed: [string, string | Buffer, unknown, RegExp][] = [
    ['null', 'null', null, /is null/],
    ['a number', '42', null, /is a number/],
    ['an array', '[1, 2]', null, /is a list/],
    ['a string', '"getBackend"', null, /is a string/],
    ['text that is not JSON', 'hello lab', null, /not JSON/],
    ['a truncated object', '{"id": 1, "method": "getB', null, /not JSON/],
    ['binary data', Buffer.from([0, 1, 2, 3]), null, /binary/],
    ['an object without an id', '{"method": "listDatasets", "args": []}', null, /no id/],
    ['an object id', '{"id": {"a": 1}, "method": "listDatasets", "args": []}', null, /no id/],
    ['a missing method', '{"id": 7, "args": []}', 7, /names no operation: give its "method"/],
    ['a method that is not a string', '{"id": 6, "method": ["getRun"], "args": []}', 6, /named by a string such as "getBackend", not by a list/],
    ['an unknown method', '{"id": 8, "method": "deleteEverything", "args": []}', 8, /no operation "deleteEverything"/],
    ['a method from Object.prototype', '{"id": 9, "method": "constructor", "args": []}', 9, /no operation "constructor"/],
    ['arguments that are not a list', '{"id": "a", "method": "getRun", "args": {"0": "run-1"}}', 'a', /arguments of getRun must be a list/],
    ['missing arguments', '{"id": "b", "method": "getRun"}', 'b', /arguments of getRun must be a list/],
    ['wrong arguments', '{"id": "c", "method": "getRun", "args": [42]}', 'c', /Invalid run id/],
    ['an unknown run', '{"id": "d", "method": "getRun", "args": ["run-999"]}', 'd', /no run "run-999"/],
  ]
  for (const [what, message, id, sentence] of malformed) {
    it(`answers ${what} with a typed error and stays up`, async () => {
      const { ws, next } = await connect()
      ws.send(message)
      const reply = await next()
      expect(reply.id).toBe(id)
      expect(reply.envelope).toMatchObject({ ok: false, error: { code: expect.stringMatching(/INVALID_ARGUMENT|UNKNOWN_RUN/), message: expect.stringMatching(sentence) } })
      // the same socket still answers
      ws.send(JSON.stringify({ id: 2, method: 'getSettings', args: [] }))
      expect((await next()).envelope).toMatchObject({ ok: true })
      ws.close()
    })
  }

  it('closes a socket that sends more than 64 MB with 1009, and keeps serving others', async () => {
    const { ws, closed } = await connect()
    ws.send(JSON.stringify({ id: 1, method: 'listDatasets', args: ['x'.repeat(65 * 1024 * 1024)] }))
    expect(await closed).toBe(1009)
    await stillServes()
  })

  it('answers a result too large for one message (a 25M-parameter run) with a typed sentence', async () => {
    const { ws, next, events } = await connect()
    ws.send(
      JSON.stringify({
        id: 'start',
        method: 'startTraining',
        args: [
          {
            dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
            model: { kind: 'mlp', hidden: [4096, 4096, 2048].map((units) => ({ units, activation: 'ReLU' })) },
            train: { optimizer: { name: 'SGD', lr: 0.0001 }, epochs: 1, batchSize: 32 },
            engine: 'dense',
          },
        ],
      }),
    )
    const started = await next()
    expect(started.envelope).toEqual({ ok: true, value: { runId: expect.any(String) } })
    const { runId } = (started.envelope as { ok: true; value: { runId: string } }).value
    ws.send(JSON.stringify({ id: 'wait', method: 'waitForRun', args: [runId] }))
    const waited = await next()
    expect(waited.id).toBe('wait')
    expect(waited.envelope).toMatchObject({ ok: false, error: { code: 'TOO_LARGE', message: expect.stringMatching(/answer to waitForRun is larger than the 64 MB .* Save the run to a \.pth file/) } })
    // the finished event came too: events never carry weights, so even this model's fits one message
    expect(events).toContainEqual({ type: 'finished', runId, status: 'completed' })
    // and the run is still there to save
    const path = join(tempDir('torchlab-big-save-'), 'big.pth')
    ws.send(JSON.stringify({ id: 'save', method: 'saveRun', args: [{ runId, path, kind: 'state_dict' }] }))
    expect((await next()).envelope).toMatchObject({ ok: true, value: { path, bytes: expect.any(Number) } })
    ws.close()
    await stillServes()
  }, 240_000)
})

describe('the bridge only talks to its own page', () => {
  const refused = async (headers: Record<string, string>) => expect(connect(headers)).rejects.toThrow(/socket hang up|Unexpected server response|ECONNRESET/)

  it('refuses another port on 127.0.0.1', async () => {
    const port = Number(new URL(lab.origin).port)
    await refused({ origin: `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}` })
  })
  it('refuses localhost, other hosts, https and a missing Origin', async () => {
    const port = new URL(lab.origin).port
    for (const other of [`http://localhost:${port}`, `http://evil.example:${port}`, `https://127.0.0.1:${port}`, 'null']) await refused({ origin: other })
    await refused({})
  })
  it('refuses every request that names another host, as a page reaching it by DNS rebinding does', async () => {
    const port = new URL(lab.origin).port
    const asked = (method: string, path: string, host: string) =>
      new Promise<{ status: number; body: string }>((resolve) =>
        request(`${lab.origin}${path}`, { method, headers: { host, origin: lab.origin, 'content-length': method === 'POST' ? '8' : '0' } }, (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c.toString()))
          res.on('end', () => resolve({ status: res.statusCode!, body }))
        }).end(method === 'POST' ? 'a,b\n1,2\n' : undefined),
      )
    for (const host of [`evil.example:${port}`, `localhost:${port}`, '127.0.0.1', `127.0.0.1:${port}.evil.example`]) {
      for (const [method, path] of [['GET', '/'], ['GET', '/index.html'], ['POST', `/upload?token=${lab.token}&name=x.csv`]]) {
        expect(await asked(method, path, host), `${method} ${path} as ${host}`).toEqual({ status: 421, body: expect.stringMatching(/^TorchLab's server answers only at the address it printed/) })
      }
      await refused({ origin: lab.origin, host })
    }
    expect(readdirSync(lab.bridge.uploads)).toEqual([])
    expect((await asked('GET', '/', `127.0.0.1:${port}`)).status).toBe(200)
  })
  it('refuses a wrong token', async () => {
    const ws = new WebSocket(`${lab.origin.replace('http', 'ws')}/lab?token=nope`, { headers: { origin: lab.origin } })
    await expect(new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))).rejects.toThrow()
  })
  it('serves the renderer and nothing above it', async () => {
    // raw paths, as a hostile client sends them (fetch would normalise the dots away)
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve) =>
        request(`${lab.origin}/`, { path }, (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c.toString()))
          res.on('end', () => resolve({ status: res.statusCode!, body }))
        }).end(),
      )
    expect(await get('/')).toMatchObject({ status: 200, body: expect.stringContaining('<title>TorchLab</title>') })
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/%00', '/%E0%A4%A']) {
      const { status, body } = await get(path)
      expect(status, path).toBeOneOf([403, 404])
      expect(body).not.toContain('not for the browser')
    }
  })
})

/** POSTs to /upload, chunked unless a length is given; resolves with the status, or 'closed' if the server hung up. */
function upload(chunks: number, chunkSize: number, options: { length?: number; origin?: string; token?: string } = {}): Promise<{ status: number | 'closed'; body: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = options.length === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(options.length) }
    if (options.origin) headers.origin = options.origin
    const req = request(`${lab.origin}/upload?token=${options.token ?? lab.token}&name=data.csv`, { method: 'POST', headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
      res.on('error', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', () => resolve({ status: 'closed', body: '' }))
    let sent = 0
    const pump = (): void => {
      while (sent < chunks) {
        sent++
        if (!req.write(Buffer.alloc(chunkSize, 120))) return void req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}

describe('uploads', () => {
  it('take a file within the limit into the uploads folder', async () => {
    const { status, body } = await upload(10, 1000)
    expect(status).toBe(200)
    const { path } = JSON.parse(body) as { path: string }
    expect(dirname(path)).toBe(lab.bridge.uploads)
    expect(existsSync(path)).toBe(true)
  })

  it('refuse a chunked body that passes the limit, keeping no part of it', async () => {
    const before = readdirSync(lab.bridge.uploads).length
    const { status, body } = await upload(64, 64 * 1024)
    // the answer is 413, unless the server hung up before the client read it; either way nothing is kept
    if (status !== 'closed') expect({ status, body }).toEqual({ status: 413, body: 'The file is larger than the 1 MB an upload may carry.' })
    await new Promise((r) => setTimeout(r, 200))
    expect(readdirSync(lab.bridge.uploads).length).toBe(before)
    await stillServes()
  })

  it('refuse a declared length over the limit, a wrong token and a wrong origin', async () => {
    expect(String((await upload(1, 10, { length: MAX_UPLOAD + 1 })).status)).toMatch(/413|closed/)
    expect(String((await upload(1, 10, { token: 'nope' })).status)).toMatch(/403|closed/)
    expect(String((await upload(1, 10, { origin: 'http://127.0.0.1:1' })).status)).toMatch(/403|closed/)
  })
})

describe('closing the bridge', () => {
  it('removes its uploads folder', async () => {
    const other = await startBridge(lab.service, lab.renderer)
    const url = new URL(other.url)
    const response = await fetch(`${url.origin}/upload?token=${url.searchParams.get('token')}&name=a.pth`, { method: 'POST', body: 'abc' })
    const { path } = (await response.json()) as { path: string }
    expect(existsSync(path)).toBe(true)
    await other.close()
    expect(existsSync(other.uploads)).toBe(false)
  })
})
