/**
 * How LabApi travels over IPC or the browser bridge: one function per operation, each
 * resolving to an Envelope, because thrown errors lose their code and fields on the way.
 * Free of zod and Node so the sandboxed preload can bundle it.
 */
import type { LabApi, LabClient, LabEvent } from './api'
import { LabError, type LabErrorInfo } from './errors'

export const LAB_METHOD_NAMES = [
  'getBackend',
  'listDatasets',
  'inspectCsv',
  'prepareDataset',
  'startTraining',
  'controlRun',
  'getRun',
  'waitForRun',
  'evaluate',
  'openCheckpoint',
  'saveRun',
  'exportPython',
  'predict',
  'startSearch',
  'cancelSearch',
  'waitForSearch',
  'exportSearchCsv',
  'getSettings',
  'updateSettings',
] as const satisfies readonly (keyof LabApi)[]

export type LabMethodName = (typeof LAB_METHOD_NAMES)[number]

/** How a result crosses IPC or the bridge: errors travel as values, never as thrown stacks. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: LabErrorInfo }

export type LabWire = {
  [M in LabMethodName]: (...args: Parameters<LabApi[M]>) => Promise<Envelope<Awaited<ReturnType<LabApi[M]>>>>
} & { onEvent(listener: (event: LabEvent) => void): () => void }

export const IPC_INVOKE = 'lab:invoke'
export const IPC_EVENT = 'lab:event'

export function isLabMethod(name: unknown): name is LabMethodName {
  return typeof name === 'string' && (LAB_METHOD_NAMES as readonly string[]).includes(name)
}

/** Builds the wire object from one transport function; used by the preload and the bridge client. */
export function createWire(
  invoke: (method: LabMethodName, args: unknown[]) => Promise<Envelope<unknown>>,
  onEvent: LabWire['onEvent'],
): LabWire {
  const wire = Object.fromEntries(LAB_METHOD_NAMES.map((m) => [m, (...args: unknown[]) => invoke(m, args)]))
  return { ...wire, onEvent } as LabWire
}

/** The renderer's typed client: envelopes become values or thrown LabErrors again. */
export function clientFromWire(wire: LabWire): LabClient {
  const client = Object.fromEntries(
    LAB_METHOD_NAMES.map((m) => [
      m,
      async (...args: unknown[]) => {
        const envelope = await (wire[m] as (...a: unknown[]) => Promise<Envelope<unknown>>)(...args)
        if (!envelope.ok) throw new LabError(envelope.error)
        return envelope.value
      },
    ]),
  )
  return { ...client, onEvent: (listener) => wire.onEvent(listener) } as LabClient
}

/** Menu commands the Electron menu sends; the browser harness raises them from keyboard shortcuts only. */
export type MenuCommand = 'open-csv' | 'open-pth' | 'save' | 'export' | 'train' | 'pause'
export type PathPurpose = 'open-csv' | 'open-pth' | 'save-pth' | 'save-py'

/** What differs between the Electron window and the browser harness: dialogs, dropped files, menus. */
export interface LabHost {
  kind: 'electron' | 'browser'
  /** a native file dialog; null when cancelled or when the host has none (then the UI's path field is used) */
  choosePath(purpose: PathPurpose, defaultName?: string): Promise<string | null>
  /** a local path for a dropped or uploaded file */
  pathOfFile(file: File): Promise<string | null>
  onMenu(listener: (command: MenuCommand) => void): () => void
}

export const IPC_CHOOSE_PATH = 'host:choose-path'
export const IPC_MENU = 'host:menu'
