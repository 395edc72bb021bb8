/**
 * The parse worker: reads a student's .pth or CSV file off the main thread, under the V8
 * heap limit and the time limit the sandbox gives it. Whatever a file does to it — a bug,
 * a runaway allocation — costs this worker only; the answer is plain data or a LabError.
 */
import { stat } from 'node:fs/promises'
import { parentPort, type MessagePort } from 'node:worker_threads'
import { toErrorInfo } from '../../../shared/errors'
import { assertNever } from '../../../shared/exhaustive'
import { MAX_PTH_BYTES, openCheckpoint, startingPointFromFile, type FileRead } from '../checkpoint/files'
import { toFloat32StateDict } from '../checkpoint/infer'
import { parseCsvBytes, type NumericPlan } from '../data/csv'
import { joinParts, parseNumericBytes, sharedSpaces, splitAt, type NumericPart } from '../data/fastCsv'
import { MAX_CSV_BYTES, readCsvBytes } from '../data/source'
import type { NumericColumn, StringColumn, Table } from '../data/table'
import { ReadBuffer } from './readBuffer'
import { isAllocationFailure, tooLargeToRead } from './tooLarge'
import {
  READY,
  type ParseReply,
  type ParseRequest,
  type ParseResults,
  type PartReply,
  type PartRequest,
  type WorkerRequest,
} from './protocol'

const port = parentPort!
/** files are read into the memory the previous one used, while this worker lives */
const memory = new ReadBuffer()
const readPlain: FileRead = (path, follower) => memory.read(path, false, MAX_PTH_BYTES, follower)
/**
 * A CSV always goes to shared memory, split between two workers or not: the memory the first
 * large file used (read alone, before the second worker is up) then serves the next one, which
 * fresh memory would cost as much as reading it (readBuffer.ts).
 */
const readShared = (path: string) => memory.read(path, true, MAX_CSV_BYTES)

/** each typed array's buffer once, when the array owns all of it (a view would drag its whole buffer along) */
function transferables(arrays: ArrayBufferView[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>()
  for (const a of arrays) {
    if (a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength)
      buffers.add(a.buffer)
  }
  return [...buffers]
}

/**
 * More buffers than this cross as one: the time to transfer n buffers grows as n squared (100,000
 * columns of a wide CSV took 2.6 s, a million would take minutes), copying them is linear.
 */
const MAX_TRANSFERRED_BUFFERS = 256

/** a copy of `array` in `packed` from byte `offset` */
function copyInto<T extends Float64Array | Int32Array>(array: T, packed: ArrayBuffer, offset: number): T {
  const view = new (array.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => T)(packed, offset, array.length)
  view.set(array)
  return view
}

/**
 * A table's numeric columns and text columns' codes, each in a buffer of its own though it may
 * use only its start (the rest was never written, so it takes no memory): such a buffer crosses
 * whole. Columns in shared memory cross as they are. A wide table's columns are first copied into
 * one buffer, the numbers first (so each starts at a multiple of 8 bytes), then the codes.
 */
function tableBuffers(table: Table): ArrayBuffer[] {
  const numeric = table.columns.filter((c): c is NumericColumn => c.kind === 'numeric' && c.values.buffer instanceof ArrayBuffer)
  const text = table.columns.filter((c): c is StringColumn => c.kind !== 'numeric')
  const buffers = [...new Set([...numeric.map((c) => c.values.buffer), ...text.map((c) => c.codes.buffer)] as ArrayBuffer[])]
  if (buffers.length <= MAX_TRANSFERRED_BUFFERS) return buffers
  const packed = new ArrayBuffer(numeric.reduce((bytes, c) => bytes + c.values.byteLength, 0) + text.reduce((bytes, c) => bytes + c.codes.byteLength, 0))
  let offset = 0
  for (const column of numeric) {
    column.values = copyInto(column.values, packed, offset)
    offset += column.values.byteLength
  }
  for (const column of text) {
    column.codes = copyInto(column.codes, packed, offset)
    offset += column.codes.byteLength
  }
  return [packed]
}

/**
 * The numbers of a large CSV, the second half (from a line start) read by the helper worker while
 * this one reads the first, both into the same columns in shared memory. The halves are independent
 * when both are read: the fast reader gives up on a line break inside quotes, so a second half
 * that starts inside a quoted cell goes with a first half that gave up.
 */
async function readHalves(
  path: string,
  bytes: Uint8Array,
  plan: NumericPlan,
  helper: MessagePort,
): Promise<NumericPart | null> {
  const mid = splitAt(bytes, plan.start + Math.floor((bytes.length - plan.start) / 2), bytes.length)
  const spaces = sharedSpaces(bytes, plan.start, mid, bytes.length, plan.format.width)
  const theirs = new Promise<PartReply>((resolve) => helper.once('message', resolve))
  helper.postMessage({
    bytes,
    start: mid,
    end: bytes.length,
    format: plan.format,
    space: spaces[1],
  } satisfies PartRequest)
  try {
    const mine = parseNumericBytes(bytes, plan.start, mid, plan.format, spaces[0])
    const other = await theirs
    if (other && 'outOfMemory' in other) throw tooLargeToRead(path, bytes.length)
    return mine && other && joinParts(spaces, mine, other)
  } finally {
    // the helper reads the shared bytes and writes the shared columns until it answers: neither may be used before
    await theirs
  }
}

/** as the helper: read the one range the reader sends, answer, and close the channel */
function help(channel: MessagePort): void {
  channel.once('message', (part: PartRequest) => {
    let reply: PartReply
    try {
      reply = parseNumericBytes(part.bytes, part.start, part.end, part.format, part.space)
    } catch (err) {
      if (!isAllocationFailure(err)) throw err
      reply = { outOfMemory: true }
    }
    channel.postMessage(reply, reply && 'values' in reply ? transferables(reply.values) : [])
    channel.close()
  })
}

async function handle(
  request: ParseRequest,
  helper?: MessagePort,
): Promise<{ result: ParseResults[ParseRequest['kind']]; transfer: ArrayBuffer[] }> {
  switch (request.kind) {
    case 'checkpoint': {
      const opened = await openCheckpoint(request.path, request.activations, request.values, request.key, readPlain)
      return {
        result: { info: opened.info, weightsOnlyRefusal: opened.weightsOnlyRefusal, codeRefusal: opened.codeRefusal },
        transfer: [],
      }
    }
    case 'model': {
      const opened = await openCheckpoint(request.path, request.activations, false, undefined, readPlain)
      const weights = toFloat32StateDict(opened.contents.tensors)
      return { result: { info: opened.info, weights }, transfer: transferables(weights.map((t) => t.data)) }
    }
    case 'startingPoint': {
      const point = await startingPointFromFile(request.path, request.shapes, request.optimizer, request.key, readPlain)
      const arrays = [
        ...point.initial.map((t) => t.data),
        ...(point.optimizer?.state.buffers.flatMap((b) => Object.values(b)) ?? []),
      ]
      return { result: point, transfer: transferables(arrays) }
    }
    case 'csv': {
      const bytes = await readCsvBytes(request.path, readShared)
      const table = await parseCsvBytes(
        bytes,
        { ...request.parse, encoding: request.encoding },
        helper && ((plan) => readHalves(request.path, bytes, plan, helper)),
      )
      return { result: table, transfer: tableBuffers(table) }
    }
    default:
      return assertNever(request, 'parse request')
  }
}

/** a file the machine had no memory for is refused by name and size, whichever allocation failed */
async function refusal(err: unknown, path: string): Promise<unknown> {
  if (!isAllocationFailure(err)) return err
  const size = (await stat(path).catch(() => undefined))?.size ?? 0
  return tooLargeToRead(path, size)
}

async function answer(id: number, request: ParseRequest, helper?: MessagePort): Promise<void> {
  try {
    const { result, transfer } = await handle(request, helper)
    port.postMessage({ id, ok: true, result } satisfies ParseReply, transfer)
  } catch (err) {
    port.postMessage({ id, ok: false, error: toErrorInfo(await refusal(err, request.path)) } satisfies ParseReply)
  } finally {
    helper?.close()
  }
}

port.on('message', (message: WorkerRequest) => {
  if ('help' in message) return help(message.help)
  void answer(message.id, message.request, message.helper)
})
port.postMessage(READY)
