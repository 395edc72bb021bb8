/**
 * The Electron shell: a secure window, native menu, IPC bound to the LabService. Everything
 * else lives in ./lab, which never imports electron. The renderer is served on its own
 * torchlab:// origin (./appProtocol decides what is ours), never from file://.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, protocol, screen, session, shell, type MenuItemConstructorOptions } from 'electron'
import fitWorkerPath from './lab/search/fitWorker?modulePath'
import parseWorkerPath from './lab/sandbox/parseWorker?modulePath'
import workerPath from './lab/train/worker?modulePath'
import { APP_ENTRY, APP_SCHEME, appFileFor, isOwnPage as isOwnUrl } from './appProtocol'
import { dispatch } from './lab/dispatch'
import { LabService } from './lab/service'
import { useBuiltWorkers } from './lab/train/workerThread'
import { contentType } from './staticFiles'
import { windowPlacement } from './windowPlacement'
import { eventForWire, IPC_CHOOSE_PATH, IPC_EVENT, IPC_INVOKE, IPC_MENU, type MenuCommand, type PathPurpose } from '../shared/wire'

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // plotly writes inline styles; no script is ever allowed inline or through eval
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

useBuiltWorkers({ train: workerPath, fit: fitWorkerPath, parse: parseWorkerPath })

// before ready: a standard, secure scheme gets a real origin, so 'self' and origin checks mean it
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])

const resourcesDir = app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources')
const rendererDir = join(import.meta.dirname, '../renderer')
const devServer = process.env.ELECTRON_RENDERER_URL
const service = new LabService({ resourcesDir, spareThread: true })
let window: BrowserWindow | undefined

const isOwnPage = (url: string): boolean => isOwnUrl(url, devServer)

/** torchlab://app/<path> -> that file of the built renderer, with the CSP; nothing outside it */
async function serveApp(request: Request): Promise<Response> {
  const file = appFileFor(request.url, rendererDir)
  if (!file) return new Response('forbidden', { status: 403 })
  try {
    return new Response(await readFile(file), { headers: { 'Content-Type': contentType(file), 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' } })
  } catch {
    return new Response('not found', { status: 404 })
  }
}

/** crashes this close together mean the page crashes as it loads: reloading it again would only loop */
const CRASH_WINDOW_MS = 60_000
const MAX_RELOADS = 3

/**
 * A renderer that crashed (out of memory, a GPU fault, killed) comes back by itself: the lab kept
 * its runs, searches and lesson check, and the reloaded page takes them up. Without this the
 * window stayed blank until the student closed it.
 */
function reloadWhenGone(win: BrowserWindow): void {
  const crashes: number[] = []
  win.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit' || win.isDestroyed()) return
    const now = Date.now()
    crashes.push(now)
    while (crashes.length > 0 && now - crashes[0] > CRASH_WINDOW_MS) crashes.shift()
    if (crashes.length > MAX_RELOADS) {
      console.error(`TorchLab's window stopped again (${details.reason}, exit code ${details.exitCode}), ${crashes.length} times within a minute; it is not reloaded again. Reload it from the View menu, or restart TorchLab.`)
      return
    }
    console.error(`TorchLab's window stopped (${details.reason}, exit code ${details.exitCode}); reloading it. The lab kept its runs.`)
    win.webContents.reload()
  })
}

async function createWindow(): Promise<void> {
  const settings = await service.getSettings()
  const primary = screen.getPrimaryDisplay()
  const bounds = windowPlacement(settings.windowBounds, [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea))
  window = new BrowserWindow({
    ...bounds,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'TorchLab',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  window.once('ready-to-show', () => window?.show())
  window.on('close', () => {
    if (window) void service.updateSettings({ windowBounds: window.getNormalBounds() })
  })
  window.webContents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault()
  })
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  reloadWhenGone(window)
  await window.loadURL(devServer ?? APP_ENTRY)
}

const send = (command: MenuCommand) => () => window?.webContents.send(IPC_MENU, command)

const FILTERS: Record<PathPurpose, Electron.FileFilter[]> = {
  'open-csv': [{ name: 'CSV data', extensions: ['csv', 'tsv', 'txt'] }],
  'open-pth': [{ name: 'PyTorch files', extensions: ['pth', 'pt'] }],
  'save-pth': [{ name: 'PyTorch files', extensions: ['pth'] }],
  'save-py': [{ name: 'Python script', extensions: ['py'] }],
}

async function choosePath(purpose: PathPurpose, defaultName?: string): Promise<string | null> {
  if (!window) return null
  if (purpose.startsWith('open')) {
    const result = await dialog.showOpenDialog(window, { properties: ['openFile'], filters: FILTERS[purpose] })
    return result.canceled ? null : (result.filePaths[0] ?? null)
  }
  const result = await dialog.showSaveDialog(window, { defaultPath: defaultName, filters: FILTERS[purpose] })
  return result.canceled ? null : (result.filePath ?? null)
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Import CSV…', accelerator: 'CmdOrCtrl+I', click: send('open-csv') },
        { label: 'Open .pth…', accelerator: 'CmdOrCtrl+O', click: send('open-pth') },
        { label: 'Save model…', accelerator: 'CmdOrCtrl+S', click: send('save') },
        { label: 'Export PyTorch script…', accelerator: 'CmdOrCtrl+E', click: send('export') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'Train',
      submenu: [
        { label: 'Start training', accelerator: 'CmdOrCtrl+Enter', click: send('train') },
        { label: 'Pause / resume', click: send('pause') },
      ],
    },
    { label: 'Edit', submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }] },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'help', submenu: [{ label: 'PyTorch documentation', click: () => void shell.openExternal('https://pytorch.org/docs/') }] },
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

app.enableSandbox()

app.whenReady().then(async () => {
  protocol.handle(APP_SCHEME, serveApp)
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  ipcMain.handle(IPC_INVOKE, (event, method: unknown, args: unknown) => {
    if (!event.senderFrame || !isOwnPage(event.senderFrame.url)) {
      return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'Requests are only taken from the TorchLab window.' } }
    }
    return dispatch(service, method, args)
  })
  service.onEvent((labEvent) => window?.webContents.send(IPC_EVENT, eventForWire(labEvent)))
  ipcMain.handle(IPC_CHOOSE_PATH, (event, purpose: unknown, defaultName: unknown) => {
    if (!event.senderFrame || !isOwnPage(event.senderFrame.url) || typeof purpose !== 'string' || !Object.hasOwn(FILTERS, purpose)) return null
    return choosePath(purpose as PathPurpose, typeof defaultName === 'string' ? defaultName : undefined)
  })
  const settings = await service.getSettings()
  nativeTheme.themeSource = settings.theme
  buildMenu()
  await createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

// with the app, not its last window: on macOS the app stays open without one, and its next window
// asks the same service, which refuses every request once disposed
app.on('will-quit', () => service.dispose())
