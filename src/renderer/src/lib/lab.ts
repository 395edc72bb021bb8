/** The renderer's only way to the lab: window.lab (preload or browser bridge), as a typed client. */
import type { LabClient } from '../../../shared/api'
import { toErrorInfo } from '../../../shared/errors'
import { clientFromWire, type LabHost, type LabWire } from '../../../shared/wire'

declare global {
  interface Window {
    lab: LabWire
    labHost: LabHost
  }
}

export const lab: LabClient = clientFromWire(window.lab)
export const host: LabHost = window.labHost

/** What to show a student for anything thrown: its own sentence, never a stack. */
export function messageOf(err: unknown): string {
  return toErrorInfo(err).message
}
