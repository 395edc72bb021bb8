/**
 * window.lab and window.labHost in a plain browser (the test and dev harness): LabApi over a
 * WebSocket to the real LabService; file choice by upload instead of native dialogs.
 */
import type { LabEvent } from '../../../shared/api'
import { createWire, type Envelope, type LabHost, type LabWire } from '../../../shared/wire'

export async function connectBridge(): Promise<{ wire: LabWire; host: LabHost }> {
  const token = new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('torchlab-token') ?? ''
  sessionStorage.setItem('torchlab-token', token)
  const socket = new WebSocket(`ws://${location.host}/lab?token=${encodeURIComponent(token)}`)
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve()
    socket.onerror = () => reject(new Error('TorchLab could not reach its lab service.'))
  })
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>()
  const listeners = new Set<(event: LabEvent) => void>()
  let nextId = 1
  socket.onmessage = (message) => {
    const data = JSON.parse(String(message.data)) as { id?: number; envelope?: Envelope<unknown>; event?: LabEvent }
    if (data.event) listeners.forEach((listener) => listener(data.event!))
    else if (data.id !== undefined && data.envelope) {
      pending.get(data.id)?.(data.envelope)
      pending.delete(data.id)
    }
  }
  socket.onclose = () => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'INTERNAL', message: 'The connection to the lab service closed.' } })
    pending.clear()
  }
  const wire = createWire(
    (method, args) =>
      new Promise((resolve) => {
        const id = nextId++
        pending.set(id, resolve)
        socket.send(JSON.stringify({ id, method, args }))
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
      const response = await fetch(`/upload?token=${encodeURIComponent(token)}&name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file })
      if (!response.ok) return null
      return ((await response.json()) as { path: string }).path
    },
    onMenu: () => () => undefined,
  }
  return { wire, host }
}
