/**
 * Writes a file's pieces in order, to disk, while later pieces are still being produced.
 *
 * Pieces are pulled one at a time; pulling the next one (where the producer may checksum the
 * piece it just handed over) runs on this thread while libuv's thread pool copies the earlier
 * ones into the file, straight from where they are. Small pieces travel together in one writev.
 * The disk starts on the early bytes before the last ones are written: once `flushEvery` more
 * bytes are in the file, a flush starts in the background (one at a time), and the file is
 * flushed once more at the end, so every byte and the size that reads it back are on the disk
 * when this resolves.
 */
import type { FileHandle } from 'node:fs/promises'

/** below this, pieces wait to travel with the next ones: a trip to the thread pool costs more than copying a header */
const BATCH_BYTES = 1 << 20

export interface WriteOptions {
  /** start a flush each time this many more bytes are written (Infinity: only the one at the end) */
  flushEvery: number
}

/** resolves with the number of bytes written and flushed; on an error, only once nothing is in flight on `handle` */
export async function writePieces(handle: FileHandle, pieces: Iterable<Uint8Array>, { flushEvery }: WriteOptions): Promise<number> {
  let position = 0
  let flushedFrom = 0
  let writing: Promise<void> = Promise.resolve()
  let flushing: Promise<void> | undefined
  const flushes: Promise<void>[] = []
  let batch: Uint8Array[] = []
  let batchBytes = 0

  const write = async (parts: Uint8Array[], at: number, bytes: number): Promise<void> => {
    let done = 0
    while (done < bytes) {
      // libuv finishes partial writes itself: a short count means the disk took no more, and writing the rest makes the system say why (ENOSPC, EFBIG)
      const { bytesWritten } = await handle.writev(done ? after(parts, done) : parts, at + done)
      if (bytesWritten === 0) throw new Error(`only ${done} of ${bytes} bytes were written`)
      done += bytesWritten
    }
  }

  const send = async (): Promise<void> => {
    await writing
    if (!flushing && position - flushedFrom >= flushEvery) {
      flushedFrom = position
      const flush = handle.datasync().finally(() => (flushing = undefined))
      flushing = flush
      flushes.push(flush)
      // its failure is reported after the last write, with the others'
      flush.catch(() => undefined)
    }
    writing = write(batch, position, batchBytes)
    position += batchBytes
    batch = []
    batchBytes = 0
  }

  try {
    for (const piece of pieces) {
      batch.push(piece)
      batchBytes += piece.length
      if (batchBytes >= BATCH_BYTES) await send()
    }
    if (batchBytes > 0) await send()
    await writing
    await Promise.all(flushes)
    await handle.datasync()
    return position
  } catch (err) {
    // the caller closes the file: nothing may still be writing into it then
    await Promise.allSettled([writing, ...flushes])
    throw err
  }
}

/** `parts` without their first `skip` bytes, as views (no copy) */
function after(parts: Uint8Array[], skip: number): Uint8Array[] {
  const rest: Uint8Array[] = []
  for (const part of parts) {
    if (skip >= part.length) skip -= part.length
    else {
      rest.push(skip ? part.subarray(skip) : part)
      skip = 0
    }
  }
  return rest
}
