/**
 * Starts the training worker. From source (CLI, tests) it is worker.ts run through tsx; the Electron build passes the path of its bundled worker instead.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { WorkerStart } from './protocol'

let builtWorkerPath: string | undefined

/** Called once by the Electron entry with the bundled worker's path. */
export function useBuiltWorker(path: string): void {
  builtWorkerPath = path
}

export function startWorker(start: WorkerStart): Worker {
  if (builtWorkerPath) return new Worker(builtWorkerPath, { workerData: start })
  // Node 20 ignores loader hooks passed to a worker's execArgv, so the worker imports its source through tsx's API.
  const source = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'worker.ts')).href
  // the ESM entry of tsx's API (require.resolve would pick its CommonJS twin)
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href
  const code = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(source)}, ${JSON.stringify(api)}))`
  return new Worker(code, { eval: true, workerData: start })
}
