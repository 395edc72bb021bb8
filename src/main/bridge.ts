/**
 * The browser harness's server (dev, tests, and `npm start` where Electron's binary is missing):
 * serves the built renderer on 127.0.0.1 and carries LabApi over a WebSocket to the real
 * LabService. A random token guards the socket and uploads; only pages from this server's own
 * origin may open the socket; nothing listens beyond loopback.
 *
 * Whatever arrives, the server stays up: every message gets an answer (an Envelope, with the
 * request's id where it had one) or, past the size limit, a clean close (1009).
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream, rmSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { labError, messageIn, type LabErrorInfo } from '../shared/errors'
import { assertNever } from '../shared/exhaustive'
import { eventForWire, kindOf, MAX_MESSAGE_BYTES, tooLargeError, type Envelope } from '../shared/wire'
import { dispatch } from './lab/dispatch'
import { errnoOf } from './lab/files/errno'
import type { LabService } from './lab/service'
import { exceededLimit, type JsonLimits } from './jsonNesting'
import { contentType, staticFileFor } from './staticFiles'

export interface BridgeOptions {
  port?: number
  /** the largest file an upload may carry */
  maxUpload?: number
}

export interface Bridge {
  url: string
  /** the folder uploads land in; removed by close() */
  uploads: string
  close(): Promise<void>
}

type RequestId = number | string | null

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  if (!res.req.complete) {
    // a body this answer does not read is not waited for either: a client trickling one would hold the connection
    res.setHeader('Connection', 'close')
    res.once('finish', () => res.req.destroy())
  }
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
  res.end(body)
}

const invalid = (message: string): LabErrorInfo => ({ code: 'INVALID_ARGUMENT', message })

/** what the HTTP side refuses, in words: a page or a person reads these too */
const REFUSED = {
  token: 'This upload does not carry the token of this TorchLab page. Open the address TorchLab printed when it started.',
  origin: 'Uploads are taken only from the TorchLab page this server serves.',
  method: "TorchLab's server shows its window's files and takes uploads; it does nothing else.",
  outside: "That address is outside TorchLab's window.",
  host: "TorchLab's server answers only at the address it printed, http://127.0.0.1 and its port; this request names another host (a page of another site reaching it through its own name).",
  missing: "There is no such file in TorchLab's window.",
  failed: 'TorchLab could not answer this request.',
}
const REQUEST_SHAPE = 'A request to the lab service is one JSON object: {"id": 1, "method": "getBackend", "args": []}.'

/**
 * How deeply a request may nest its values. The deepest real one is a start from given weights:
 * the message, its args, the request, `init`, and a tensor's rows (four levels for a 4-d one);
 * 64 leaves room for any tensor torch can make while keeping a deep text's parse as cheap as a flat one's.
 */
export const MAX_REQUEST_DEPTH = 64

/**
 * The most a request over the socket may carry, checked before it is parsed: the bridge parses on
 * the thread that answers every client and relays the running window's progress, and 64 MB of
 * numbers held it 2 s (of empty lists, 13 s). What the window sends is a few kilobytes (specs,
 * settings, paths); a student's CSV or .pth travels by upload, streamed to a file, never on the
 * socket. The one request that can be large is a start from weights given as JSON (`init`),
 * which the window never sends (it starts from a file's path): 4 MB holds some 400,000 weights
 * and parses in about a tenth of a second. The limit is one for every method: a client names its
 * own method, so a larger limit for one would be every client's.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024

/**
 * The most arrays and objects a request may open: a start from weights has one per row of each
 * tensor (a Linear layer of 4,096 units, 4,097), and 100,000 leaves room for any model 4 MB
 * holds while a text of nothing but `{}` (the slowest JSON to parse per byte) stays a few tens of
 * milliseconds' work.
 */
export const MAX_REQUEST_CONTAINERS = 100_000

/** The most keys a request's objects may have: a start from weights names each tensor (a model of 64 layers, a few hundred), settings a dozen. */
export const MAX_REQUEST_KEYS = 10_000

/**
 * How long a client may take over an HTTP request. The only clients are this machine's browser
 * and tests, over loopback: headers come in one packet, so a client still sending them after 10 s
 * (or silent for 10 s mid-body) is holding a connection open, not uploading; 120 s carries the
 * largest upload at under 10 MB/s. Node checks the first two only every `connectionsCheckingInterval`.
 */
const HTTP_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 120_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 }
const IDLE_SOCKET_MS = 10_000

/** the id of a request that starts with it, as every client's JSON.stringify({ id, method, args }) writes it: a refusal before parsing reaches the call that waits for it */
function leadingId(bytes: Buffer): RequestId {
  const id = /^\s*\{\s*"id"\s*:\s*(-?\d{1,15}|"[\w-]{1,100}")\s*,/.exec(bytes.subarray(0, 160).toString('latin1'))?.[1]
  return id === undefined ? null : (JSON.parse(id) as number | string)
}

function excessText(excess: keyof JsonLimits): string {
  switch (excess) {
    case 'depth':
      return `nests lists or objects more than ${MAX_REQUEST_DEPTH} deep`
    case 'containers':
      return `opens more than ${MAX_REQUEST_CONTAINERS.toLocaleString('en-US')} lists or objects`
    case 'keys':
      return `names more than ${MAX_REQUEST_KEYS.toLocaleString('en-US')} keys`
    default:
      return assertNever(excess)
  }
}

/** A WebSocket message -> the call it asks for, or the error to answer it with. */
function parseRequest(raw: RawData, isBinary: boolean): { id: RequestId; method: unknown; args: unknown } | { id: RequestId; error: LabErrorInfo } {
  if (isBinary) return { id: null, error: invalid(`This message is binary. ${REQUEST_SHAPE}`) }
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.concat(Array.isArray(raw) ? raw : [Buffer.from(raw)])
  if (bytes.length > MAX_REQUEST_BYTES) {
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`
    return {
      id: leadingId(bytes),
      error: {
        code: 'TOO_LARGE',
        message: `This request is ${mb(bytes.length)}, more than the ${mb(MAX_REQUEST_BYTES)} a request to the lab service may carry, so it was not read. Start from weights saved in a .pth file (its path) rather than sending them.`,
      },
    }
  }
  const excess = exceededLimit(bytes, { depth: MAX_REQUEST_DEPTH, containers: MAX_REQUEST_CONTAINERS, keys: MAX_REQUEST_KEYS })
  if (excess !== null) {
    return { id: leadingId(bytes), error: invalid(`This message ${excessText(excess)}, which no request needs, so it was not read. ${REQUEST_SHAPE}`) }
  }
  let message: unknown
  try {
    message = JSON.parse(bytes.toString('utf8'))
  } catch {
    return { id: null, error: invalid(`This message is not JSON. ${REQUEST_SHAPE}`) }
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { id: null, error: invalid(`This message is ${kindOf(message)}. ${REQUEST_SHAPE}`) }
  }
  const { id, method, args } = message as Record<string, unknown>
  if (!(typeof id === 'string' && id.length <= 100) && !(typeof id === 'number' && Number.isFinite(id))) {
    return { id: null, error: invalid(`This request has no id (a number or a short string) to answer it by. ${REQUEST_SHAPE}`) }
  }
  return { id, method, args }
}

/** Streams an upload to `path`, counting bytes as they come: a chunked body is held to the limit too. */
function receiveUpload(req: IncomingMessage, path: string, max: number): Promise<'ok' | 'too-large' | 'failed'> {
  return new Promise((settle) => {
    const file = createWriteStream(path)
    let bytes = 0
    let done = false
    const finish = (outcome: 'ok' | 'too-large' | 'failed'): void => {
      if (done) return
      done = true
      req.pause()
      req.removeAllListeners('data')
      if (outcome === 'ok') {
        file.end(() => settle('ok'))
        return
      }
      file.once('close', () => void rm(path, { force: true }).then(() => settle(outcome)))
      file.destroy()
    }
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > max) return finish('too-large')
      if (!file.write(chunk)) {
        req.pause()
        file.once('drain', () => req.resume())
      }
    })
    req.once('end', () => finish('ok'))
    req.once('error', () => finish('failed'))
    req.once('aborted', () => finish('failed'))
    file.once('error', () => finish('failed'))
  })
}

/** listens on 127.0.0.1, or says in a sentence why it cannot (the port taken, or one only an administrator may use) */
function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    const refused = (err: unknown): void => {
      const why =
        errnoOf(err) === 'EADDRINUSE'
          ? 'another program is using that port'
          : errnoOf(err) === 'EACCES'
            ? 'ports below 1024 need administrator rights'
            : messageIn(err)
      fail(labError('INVALID_ARGUMENT', `TorchLab cannot serve its window on 127.0.0.1 port ${port}: ${why}. Choose another port with --port, or leave --port out for a free one.`))
    }
    server.once('error', refused)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', refused)
      done()
    })
  })
}

export async function startBridge(service: LabService, rendererDir: string, options: BridgeOptions = {}): Promise<Bridge> {
  const maxUpload = options.maxUpload ?? 1024 ** 3
  const token = randomBytes(24).toString('hex')
  const uploads = await mkdtemp(join(tmpdir(), 'torchlab-uploads-'))
  const root = resolve(rendererDir)
  let origin = ''

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // the rest of a refused body is not read: send closes the connection once the answer is out
    const refuse = (status: number, message: string): void => send(res, status, message)
    if (url.searchParams.get('token') !== token) return refuse(403, REFUSED.token)
    if (req.headers.origin !== undefined && req.headers.origin !== origin) return refuse(403, REFUSED.origin)
    const tooLarge = `The file is larger than the ${Math.round(maxUpload / 1024 / 1024)} MB an upload may carry.`
    if (Number(req.headers['content-length'] ?? 0) > maxUpload) return refuse(413, tooLarge)
    // the student's own name, accents and spaces kept (élève.csv, not _l_ve.csv); anything that is no letter, digit or plain punctuation (a slash, a control or direction mark) becomes _
    const name = [...basename(url.searchParams.get('name') ?? 'upload').replace(/[^\p{L}\p{M}\p{N}_.() -]/gu, '_')].slice(0, 100).join('')
    const path = join(uploads, `${randomBytes(4).toString('hex')}-${name}`)
    const outcome = await receiveUpload(req, path, maxUpload)
    if (outcome === 'too-large') return refuse(413, tooLarge)
    if (outcome === 'failed') return refuse(400, 'The upload did not arrive whole.')
    send(res, 200, JSON.stringify({ path }), 'application/json')
  }

  // a page of another site whose name it points at 127.0.0.1 (DNS rebinding) sends its own name as Host
  const ownHost = (req: IncomingMessage): boolean => req.headers.host === origin.slice('http://'.length)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!ownHost(req)) return send(res, 421, REFUSED.host)
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method === 'POST' && url.pathname === '/upload') return upload(req, res, url)
    if (req.method !== 'GET') return send(res, 405, REFUSED.method)
    const file = staticFileFor(root, url.pathname)
    if (!file) return send(res, 403, REFUSED.outside)
    try {
      send(res, 200, await readFile(file), contentType(file))
    } catch {
      send(res, 404, REFUSED.missing)
    }
  }

  const server = createServer(HTTP_TIMEOUTS, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, REFUSED.failed)
      else res.destroy()
    })
  })
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (!ownHost(req) || url.pathname !== '/lab' || url.searchParams.get('token') !== token || req.headers.origin !== origin) {
      socket.destroy()
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws))
  })
  sockets.on('connection', (ws: WebSocket) => {
    /** Sends one JSON message; one that would not fit is replaced by `fallback`'s, or dropped. */
    const sendJson = (value: unknown, fallback?: () => unknown): void => {
      let text: string | undefined
      try {
        text = JSON.stringify(value)
      } catch {
        // longer than V8's longest string: too large by far
      }
      if (text === undefined || text.length > MAX_MESSAGE_BYTES) {
        if (fallback) sendJson(fallback())
        return
      }
      ws.send(text)
    }
    const answer = (id: RequestId, envelope: Envelope<unknown>, method: unknown): void =>
      sendJson({ id, envelope }, () => ({ id, envelope: { ok: false, error: tooLargeError(`The answer to ${String(method)}`) } }))

    const off = service.onEvent((event) => sendJson({ event: eventForWire(event) }))
    ws.on('close', off)
    // a message over maxPayload: ws closes the socket with 1009; without a listener its error would end the process
    ws.on('error', () => ws.terminate())
    ws.on('message', (raw, isBinary) => {
      const request = parseRequest(raw, isBinary)
      if ('error' in request) return answer(request.id, { ok: false, error: request.error }, undefined)
      void dispatch(service, request.method, request.args).then((envelope) => answer(request.id, envelope, request.method))
    })
  })
  sockets.on('error', () => undefined)
  // a body that stalls: a WebSocket's socket is exempt, ws clears the timeout when it takes one over
  server.timeout = IDLE_SOCKET_MS
  try {
    await listen(server, options.port ?? 0)
  } catch (err) {
    await rm(uploads, { recursive: true, force: true })
    throw err
  }
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}/?token=${token}`,
    uploads,
    close: async () => {
      for (const client of sockets.clients) client.terminate()
      sockets.close()
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
      await rm(uploads, { recursive: true, force: true })
    },
  }
}

/** Removes a bridge's uploads at process exit, when close() had no chance to run. */
export function removeUploadsAtExit(bridge: Bridge): void {
  process.once('exit', () => rmSync(bridge.uploads, { recursive: true, force: true }))
}
