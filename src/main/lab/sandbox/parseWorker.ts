/**
 * The parse worker: reads a student's .pth or CSV file off the main thread, under the V8
 * heap limit and the time limit the sandbox gives it. Whatever a file does to it — a bug,
 * a runaway allocation — costs this worker only; the answer is plain data or a LabError.
 */
import { parentPort } from 'node:worker_threads'
import { toErrorInfo } from '../../../shared/errors'
import { openCheckpoint, startingPointFromFile } from '../checkpoint/files'
import { toFloat32StateDict } from '../checkpoint/infer'
import { parseCsvBytes } from '../data/csv'
import { readCsvBytes } from '../data/source'
import type { Table } from '../data/table'
import { READY, type ParseReply, type ParseRequest, type ParseResults } from './protocol'

const port = parentPort!

/** each typed array's buffer once, when the array owns all of it (a view would drag its whole buffer along) */
function transferables(arrays: ArrayBufferView[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>()
  for (const a of arrays) {
    if (a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) buffers.add(a.buffer)
  }
  return [...buffers]
}

function tableArrays(table: Table): ArrayBufferView[] {
  return table.columns.flatMap((c) => (c.kind === 'numeric' ? [c.values] : []))
}

async function handle(request: ParseRequest): Promise<{ result: ParseResults[ParseRequest['kind']]; transfer: ArrayBuffer[] }> {
  switch (request.kind) {
    case 'checkpoint': {
      const opened = await openCheckpoint(request.path, request.activations, request.values, request.key)
      return { result: { info: opened.info, weightsOnlyRefusal: opened.weightsOnlyRefusal, codeRefusal: opened.codeRefusal }, transfer: [] }
    }
    case 'model': {
      const opened = await openCheckpoint(request.path, request.activations)
      const weights = toFloat32StateDict(opened.contents.tensors)
      return { result: { info: opened.info, weights }, transfer: transferables(weights.map((t) => t.data)) }
    }
    case 'startingPoint': {
      const point = await startingPointFromFile(request.path, request.shapes, request.optimizer, request.key)
      const arrays = [...point.initial.map((t) => t.data), ...(point.optimizerState?.buffers.flatMap((b) => Object.values(b)) ?? [])]
      return { result: point, transfer: transferables(arrays) }
    }
    case 'csv': {
      const table = await parseCsvBytes(await readCsvBytes(request.path), { ...request.parse, encoding: request.encoding })
      return { result: table, transfer: transferables(tableArrays(table)) }
    }
  }
}

port.on('message', (message: { id: number; request: ParseRequest }) => {
  handle(message.request).then(
    ({ result, transfer }) => port.postMessage({ id: message.id, ok: true, result } satisfies ParseReply, transfer),
    (err: unknown) => port.postMessage({ id: message.id, ok: false, error: toErrorInfo(err) } satisfies ParseReply),
  )
})
port.postMessage(READY)
