/**
 * Component tests render the real panels against the real LabService, in-process: window.lab
 * is the same wire the preload builds, with dispatch as its transport instead of IPC.
 */
import { configure } from '@testing-library/svelte'
import { dispatch } from '../../src/main/lab/dispatch'
import type { LabService } from '../../src/main/lab/service'
import { createWire, type LabHost, type LabWire } from '../../src/shared/wire'
import { createService } from './lab'

export function installLab(): LabService {
  // files are read in the parse worker, which a cold start from source (tsx) on a busy machine
  // can keep for seconds: waits measure that, not the panel
  configure({ asyncUtilTimeout: 60_000 })
  const service = createService()
  window.lab = createWire(
    (method, args) => dispatch(service, method, args),
    (listener) => service.onEvent(listener),
  )
  window.labHost = { kind: 'browser', choosePath: async () => null, pathOfFile: async () => null, onMenu: () => () => undefined }
  return service
}

declare global {
  interface Window {
    lab: LabWire
    labHost: LabHost
  }
}
