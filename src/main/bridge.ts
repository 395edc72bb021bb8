/**
 * The browser harness's server (dev and tests only; the product is the Electron app): serves
 * the built renderer on 127.0.0.1 and carries LabApi over a WebSocket to the real LabService.
 * A random token guards the socket and uploads; nothing listens beyond loopback.
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { basename, extname, join, normalize, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { WebSocketServer, type WebSocket } from 'ws'
import { dispatch } from './lab/dispatch'
import type { LabService } from './lab/service'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
}
const MAX_UPLOAD = 1024 ** 3

export interface Bridge {
  url: string
  close(): Promise<void>
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
  res.end(body)
}

export async function startBridge(service: LabService, rendererDir: string, port = 0): Promise<Bridge> {
  const token = randomBytes(24).toString('hex')
  const uploads = await mkdtemp(join(tmpdir(), 'torchlab-uploads-'))
  const root = resolve(rendererDir)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method === 'POST' && url.pathname === '/upload') {
      if (url.searchParams.get('token') !== token) return send(res, 403, 'bad token')
      const declared = Number(req.headers['content-length'] ?? 0)
      if (declared > MAX_UPLOAD) return send(res, 413, 'too large')
      const name = basename(url.searchParams.get('name') ?? 'upload').replace(/[^\w.-]/g, '_')
      const path = join(uploads, `${randomBytes(4).toString('hex')}-${name}`)
      await pipeline(req, createWriteStream(path))
      return send(res, 200, JSON.stringify({ path }), 'application/json')
    }
    if (req.method !== 'GET') return send(res, 405, 'method not allowed')
    const file = normalize(join(root, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname)))
    if (!file.startsWith(root + sep)) return send(res, 403, 'forbidden')
    try {
      send(res, 200, await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream')
    } catch {
      send(res, 404, 'not found')
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, 'error'))
  })
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const origin = req.headers.origin ?? ''
    if (url.pathname !== '/lab' || url.searchParams.get('token') !== token || !/^http:\/\/127\.0\.0\.1:\d+$/.test(origin)) {
      socket.destroy()
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws))
  })
  sockets.on('connection', (ws: WebSocket) => {
    const off = service.onEvent((event) => ws.send(JSON.stringify({ event })))
    ws.on('close', off)
    ws.on('message', (raw) => {
      let message: { id?: unknown; method?: unknown; args?: unknown }
      try {
        message = JSON.parse(String(raw))
      } catch {
        return
      }
      void dispatch(service, message.method, message.args).then((envelope) => ws.send(JSON.stringify({ id: message.id, envelope })))
    })
  })
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done))
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  return {
    url: `http://127.0.0.1:${actualPort}/?token=${token}`,
    close: async () => {
      for (const client of sockets.clients) client.terminate()
      await new Promise<void>((done) => server.close(() => done()))
    },
  }
}
