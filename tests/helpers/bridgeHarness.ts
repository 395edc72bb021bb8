import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { startBridge, type Bridge } from '../../src/main/bridge'
import type { LabService } from '../../src/main/lab/service'
import { createService, tempDir } from './lab'

export interface BridgeHarness {
  service: LabService
  /** the folder holding the served renderer folder: what the server must never serve */
  outer: string
  /** the renderer folder it serves */
  renderer: string
  bridge: Bridge
  origin: string
  host: string
  token: string
  /** the lab's WebSocket address, token included */
  socketUrl: string
}

/** A bridge serving a one-page renderer over a fresh service for the file's tests: started before them, closed after. */
export function useBridge(options?: Parameters<typeof startBridge>[2]): BridgeHarness {
  const outer = tempDir('torchlab-renderer-')
  const renderer = join(outer, 'renderer')
  mkdirSync(renderer)
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>TorchLab</title>')
  const harness = { service: createService(), outer, renderer } as BridgeHarness
  beforeAll(async () => {
    harness.bridge = await startBridge(harness.service, renderer, options)
    const url = new URL(harness.bridge.url)
    harness.origin = url.origin
    harness.host = url.host
    harness.token = url.searchParams.get('token')!
    harness.socketUrl = `${url.origin.replace('http', 'ws')}/lab?token=${harness.token}`
  })
  afterAll(async () => {
    harness.service.dispose()
    await harness.bridge.close()
  })
  return harness
}
