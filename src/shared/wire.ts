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
  'listRuns',
  'getRunSnapshot',
  'waitForRun',
  'evaluate',
  'openCheckpoint',
  'saveRun',
  'exportPython',
  'predict',
  'startSearch',
  'cancelSearch',
  'waitForSearch',
  'listSearches',
  'exportSearchCsv',
  'getSettings',
  'updateSettings',
  'stepRun',
  'getGraph',
  'listLessons',
  'getLesson',
  'loadLessonFile',
  'checkLesson',
  'lessonCheckRunning',
  'exportSearchPython',
  'getLandscape',
] as const satisfies readonly (keyof LabApi)[]

export type LabMethodName = (typeof LAB_METHOD_NAMES)[number]

// the other direction of `satisfies` above: an operation added to LabApi but not to the wire fails to compile
type MissingFromWire = Exclude<keyof LabApi, LabMethodName>
export const wireIsComplete: [MissingFromWire] extends [never] ? true : MissingFromWire = true

/** How a result crosses IPC or the bridge: errors travel as values, never as thrown stacks. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: LabErrorInfo }

export type LabWire = {
  [M in LabMethodName]: (...args: Parameters<LabApi[M]>) => Promise<Envelope<Awaited<ReturnType<LabApi[M]>>>>
} & { onEvent(listener: (event: LabEvent) => void): () => void }

/**
 * The most one message may carry, either way: a request, an answer or an event. Chromium's IPC
 * and a browser's WebSocket take far less than a 25M-parameter model's weights as JSON (over
 * 400 MB, beyond V8's longest string), so nothing near that size is ever put in one message.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024

/**
 * Whether a value would take more than `limit` bytes in a message (as JSON or a structured
 * clone). Counts at least 8 bytes a number, so it stops early on a huge value: it never walks
 * much more than limit / 8 numbers.
 */
export function exceedsMessageSize(value: unknown, limit = MAX_MESSAGE_BYTES): boolean {
  let bytes = 0
  const stack: unknown[] = [value]
  while (stack.length) {
    const v = stack.pop()
    if (typeof v === 'string') bytes += v.length + 2
    else if (ArrayBuffer.isView(v)) bytes += v.byteLength
    else if (Array.isArray(v)) {
      bytes += 1 + v.length
      for (const item of v) stack.push(item)
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        bytes += key.length + 4
        stack.push(item)
      }
    } else bytes += 8
    if (bytes > limit) return true
  }
  return false
}

/** What kind of JSON value a message held, for sentences about malformed requests. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

export function tooLargeError(what: string): LabErrorInfo {
  return {
    code: 'TOO_LARGE',
    message: `${what} is larger than the ${MAX_MESSAGE_BYTES / 1024 / 1024} MB TorchLab sends to the window at once; a model this size sends its weights whole. Save the run to a .pth file to keep them.`,
  }
}

/**
 * An event as it may be sent: one too large to carry whole (a finished run or search with a
 * huge model's weights) is sent without them; the window asks for what it needs.
 */
export function eventForWire(event: LabEvent): LabEvent {
  if (!exceedsMessageSize(event)) return event
  switch (event.type) {
    case 'search-finished':
      return { ...event, summary: { ...event.summary, refit: undefined } }
    case 'progress':
      return { ...event, params: undefined }
    case 'search-progress':
      return { ...event, row: { ...event.row, lossCurve: undefined } }
    case 'status':
    case 'finished':
      return event
    default: {
      const unknown: never = event
      return unknown
    }
  }
}

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

/** A file the user dropped or picked in the window: the DOM's File, named here without the DOM (shared code has none). */
export interface DroppedFile {
  readonly name: string
  readonly size: number
}

/** What differs between the Electron window and the browser harness: dialogs, dropped files, menus. */
export interface LabHost {
  kind: 'electron' | 'browser'
  /** a native file dialog; null when cancelled or when the host has none (then the UI's path field is used) */
  choosePath(purpose: PathPurpose, defaultName?: string): Promise<string | null>
  /** a local path for a dropped or uploaded file; null when it has none; rejects with the sentence of an upload the lab refused */
  pathOfFile(file: DroppedFile): Promise<string | null>
  onMenu(listener: (command: MenuCommand) => void): () => void
  /**
   * The lab service can no longer be reached, and why: the browser bridge's socket closed (the
   * server stopped). Electron's IPC lasts as long as its window, so its host has no such end.
   */
  onClosed?(listener: (error: LabErrorInfo) => void): () => void
}

export const IPC_CHOOSE_PATH = 'host:choose-path'
export const IPC_MENU = 'host:menu'
