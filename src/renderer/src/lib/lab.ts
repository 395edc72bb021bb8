/** The renderer's only way to the lab: window.lab (preload or browser bridge), as a typed client. */
import type { LabClient } from '../../../shared/api'
import { clientFromWire, type LabWire } from '../../../shared/wire'

declare global {
  interface Window {
    lab: LabWire
  }
}

export const lab: LabClient = clientFromWire(window.lab)
