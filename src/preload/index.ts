/** window.lab (LabApi over IPC) and window.labHost (dialogs, dropped files, menu commands). */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import type { LabEvent } from '../shared/api'
import { createWire, IPC_CHOOSE_PATH, IPC_EVENT, IPC_INVOKE, IPC_MENU, type Envelope, type LabHost, type MenuCommand } from '../shared/wire'

const wire = createWire(
  (method, args) => ipcRenderer.invoke(IPC_INVOKE, method, args) as Promise<Envelope<unknown>>,
  (listener) => {
    const handler = (_event: IpcRendererEvent, labEvent: LabEvent): void => listener(labEvent)
    ipcRenderer.on(IPC_EVENT, handler)
    return () => ipcRenderer.off(IPC_EVENT, handler)
  },
)

const host: LabHost = {
  kind: 'electron',
  choosePath: (purpose, defaultName) => ipcRenderer.invoke(IPC_CHOOSE_PATH, purpose, defaultName) as Promise<string | null>,
  pathOfFile: async (file: File) => webUtils.getPathForFile(file) || null,
  onMenu: (listener) => {
    const handler = (_event: IpcRendererEvent, command: MenuCommand): void => listener(command)
    ipcRenderer.on(IPC_MENU, handler)
    return () => ipcRenderer.off(IPC_MENU, handler)
  },
}

contextBridge.exposeInMainWorld('lab', wire)
contextBridge.exposeInMainWorld('labHost', host)
