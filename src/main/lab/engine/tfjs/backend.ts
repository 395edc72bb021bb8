/**
 * Picks tfjs's backend once per thread: tensorflow (tfjs-node, optional and often absent),
 * else wasm, else cpu. What failed is kept with its reason, so nothing claims a backend
 * that did not run.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { BackendInfo, TfjsBackendName } from '../../../../shared/api'

export type BackendPreference = TfjsBackendName | 'auto'

const ORDER: TfjsBackendName[] = ['tensorflow', 'wasm', 'cpu']
const require = createRequire(import.meta.url)
let selected: Promise<BackendInfo> | undefined

async function tryBackend(name: TfjsBackendName): Promise<void> {
  if (name === 'tensorflow') {
    // A variable keeps bundlers and the type checker from requiring a package that may be absent.
    const tfjsNode = '@tensorflow/tfjs-node'
    await import(/* @vite-ignore */ tfjsNode)
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm')
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'))
  } else {
    // the cpu backend ships inside @tensorflow/tfjs
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not start its ${name} backend`)
  await tf.ready()
}

async function select(preference: BackendPreference): Promise<BackendInfo> {
  // PROD silences tfjs's console advice, which a student cannot act on
  tf.env().set('PROD', true)
  const candidates = preference === 'auto' ? ORDER : [preference]
  const unavailable: BackendInfo['unavailable'] = []
  for (const backend of candidates) {
    try {
      await tryBackend(backend)
      return { engine: 'tfjs', backend, unavailable }
    } catch (err) {
      // Node names the file that imported a missing package: TorchLab's own path, nothing a student gave or can act on
      unavailable.push({ backend, reason: (err instanceof Error ? err.message.split('\n')[0] : String(err)).replace(/ imported from .*$/, '') })
    }
  }
  throw new Error(`No tfjs backend could start: ${unavailable.map((u) => `${u.backend}: ${u.reason}`).join('; ')}`)
}

export function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  selected ??= select(preference)
  return selected
}
