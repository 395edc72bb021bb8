/**
 * window.lab and window.labHost in a plain browser (the test and dev harness, and `npm start`
 * without Electron): LabApi over a WebSocket to the real LabService; file choice by upload
 * instead of native dialogs. Every call settles: a request that cannot be sent, or whose
 * socket closes, resolves to an error envelope with a sentence, never hangs.
 */
import type { LabEvent } from '../../../shared/api'
import { labError, type LabErrorInfo } from '../../../shared/errors'
import { createWire, MAX_MESSAGE_BYTES, type Envelope, type LabHost, type LabWire } from '../../../shared/wire'

/** Why the socket is gone, in words: 1009 is the server refusing a message over its size limit. */
function closedError(code: number): LabErrorInfo {
  return code === 1009
    ? { code: 'TOO_LARGE', message: `A request was larger than the ${MAX_MESSAGE_BYTES / 1024 / 1024} MB the lab service takes, so it closed the connection. Reload the page to reconnect.` }
    : { code: 'INTERNAL', message: 'The connection to the lab service closed. Restart it (npm start) and reload the page.' }
}

export async function connectBridge(): Promise<{ wire: LabWire; host: LabHost }> {
  const token = new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('torchlab-token') ?? ''
  sessionStorage.setItem('torchlab-token', token)
  const socket = new WebSocket(`ws://${location.host}/lab?token=${encodeURIComponent(token)}`)
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve()
    // a server stopped, or started again since this page was opened (its token is new): the page cannot say which
    socket.onerror = () =>
      reject(labError('INTERNAL', 'TorchLab could not reach its lab service from this page: it has stopped, or was started again at a new address. Start it (npm start) and open the address it prints.'))
  })
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>()
  const listeners = new Set<(event: LabEvent) => void>()
  const closedListeners = new Set<(error: LabErrorInfo) => void>()
  let nextId = 1
  let closed: LabErrorInfo | undefined
  socket.onmessage = (message) => {
    const data = JSON.parse(String(message.data)) as { id?: number | null; envelope?: Envelope<unknown>; event?: LabEvent }
    if (data.event) listeners.forEach((listener) => listener(data.event!))
    else if (typeof data.id === 'number' && data.envelope) {
      pending.get(data.id)?.(data.envelope)
      pending.delete(data.id)
    }
  }
  socket.onclose = (event) => {
    closed = closedError(event.code)
    for (const resolve of pending.values()) resolve({ ok: false, error: closed })
    pending.clear()
    closedListeners.forEach((listener) => listener(closed!))
  }
  const wire = createWire(
    (method, args) =>
      new Promise((resolve) => {
        if (closed || socket.readyState !== WebSocket.OPEN) return resolve({ ok: false, error: closed ?? closedError(1006) })
        const id = nextId++
        const text = JSON.stringify({ id, method, args })
        if (text.length > MAX_MESSAGE_BYTES) {
          return resolve({ ok: false, error: { code: 'TOO_LARGE', message: `This request to ${method} is larger than the ${MAX_MESSAGE_BYTES / 1024 / 1024} MB the lab service takes.` } })
        }
        pending.set(id, resolve)
        socket.send(text)
      }),
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  )
  const host: LabHost = {
    kind: 'browser',
    choosePath: async () => null,
    pathOfFile: async (file: File) => {
      const response = await fetch(`/upload?token=${encodeURIComponent(token)}&name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file }).catch(() => {
        throw labError('INTERNAL', `${file.name} did not reach the lab service: the connection to it was cut. Reload the page, or restart the lab (npm start).`)
      })
      // the server refuses an upload in a sentence (too large, cut off, a stale page's token)
      if (!response.ok) throw labError(response.status === 413 ? 'TOO_LARGE' : 'INVALID_ARGUMENT', `${file.name} was not uploaded: ${await response.text()}`)
      return ((await response.json()) as { path: string }).path
    },
    onMenu: () => () => undefined,
    onClosed: (listener) => {
      if (closed) listener(closed)
      closedListeners.add(listener)
      return () => closedListeners.delete(listener)
    },
  }
  return { wire, host }
}
