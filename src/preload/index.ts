/** window.lab: LabApi over IPC. The sandboxed preload bundles only the dependency-free wire module. */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { RunEvent } from '../shared/api'
import { createWire, IPC_EVENT, IPC_INVOKE, type Envelope } from '../shared/wire'

const wire = createWire(
  (method, args) => ipcRenderer.invoke(IPC_INVOKE, method, args) as Promise<Envelope<unknown>>,
  (listener) => {
    const handler = (_event: IpcRendererEvent, labEvent: RunEvent): void => listener(labEvent)
    ipcRenderer.on(IPC_EVENT, handler)
    return () => ipcRenderer.off(IPC_EVENT, handler)
  },
)

contextBridge.exposeInMainWorld('lab', wire)
