/**
 * Starts the training and search workers. From source (CLI, tests) they run through tsx; the Electron build passes the path of its bundled worker instead.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'
import type { WorkerMessage, WorkerStart } from './protocol'

export type WorkerKind = 'train' | 'fit' | 'parse'

const SOURCES: Record<WorkerKind, string> = { train: 'worker.ts', fit: '../search/fitWorker.ts', parse: '../sandbox/parseWorker.ts' }
let builtWorkers: Record<WorkerKind, string> | undefined

/** Called once by the Electron entry with the bundled workers' paths. */
export function useBuiltWorkers(paths: Record<WorkerKind, string>): void {
  builtWorkers = paths
}

export function startWorker(start: WorkerStart): Worker {
  return startWorkerOf('train', start)
}

/** a spare thread's word that its warm-up is over (warmUp.ts), listened for from its start: it may come before anything else is ready */
export function warmWord(spare: Worker): Promise<void> {
  return new Promise((warm, failed) => {
    spare.on('message', (m: WorkerMessage) => m.type === 'warm' && warm())
    spare.once('exit', () => failed(new Error('the spare training thread ended before it warmed up')))
  })
}

export function startWorkerOf(kind: WorkerKind, workerData: unknown, options: { resourceLimits?: ResourceLimits } = {}): Worker {
  if (builtWorkers) return new Worker(builtWorkers[kind], { workerData, ...options })
  // Node 20 ignores loader hooks passed to a worker's execArgv, so the worker imports its source through tsx's API.
  const source = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), SOURCES[kind])).href
  // the ESM entry of tsx's API (require.resolve would pick its CommonJS twin)
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href
  const code = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(source)}, ${JSON.stringify(api)}))`
  return new Worker(code, { eval: true, workerData, ...options })
}
