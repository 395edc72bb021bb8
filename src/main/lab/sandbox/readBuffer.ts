/**
 * The parse worker's read buffer: a file is read into the memory the previous file used, when it
 * fits. It is let go with the worker, which the sandbox replaces after a while without files
 * (SandboxLimits.idleMs). Fresh memory is what reading costs
 * here: measured at load average 21, a 100 MB file read and checksummed in 2.5–3.5 s into fresh
 * memory and in 0.15–0.2 s into memory already touched (PyTorch's allocator reuses its freed
 * blocks the same way).
 *
 * Safe because the worker reads one file at a time and every result leaves it as a copy or an
 * array of its own: nothing made from one file still points into the buffer when the next is read.
 */
import type { FileHandle } from 'node:fs/promises'
import { labError } from '../../../shared/errors'
import { checksummedArea } from '../checkpoint/crc32/crc32'
import { openForReading } from '../files/openForReading'
import type { ReadFollower } from '../files/readFollower'
import { isAllocationFailure, tooLargeToRead } from './tooLarge'

/**
 * A file is read in pieces of 1 MB, two at a time: the kernel copies from the page cache on two
 * cores (a 100 MB file in 10-13 ms instead of 19 in one read), and a follower works on each piece
 * while the next two are read, the piece still in the cache. Measured on 100 MB with the record
 * sums following: 1-8 MB pieces, one to three at a time, all took 17-20 ms (medians); 1 MB two
 * at a time was among the fastest.
 */
const PIECE = 1 << 20
const AT_ONCE = 2

export class ReadBuffer {
  private kept?: Uint8Array

  /**
   * The whole file; `shared`: in a SharedArrayBuffer, for a second worker to read part of it,
   * otherwise in a checksummed area, whose bytes a follower can checksum as they arrive.
   * `cap`: the most bytes the caller opens, checked again on the open file, which may have grown
   * since the caller looked. `follower`: told of the bytes as they arrive, its tail first.
   */
  async read(path: string, shared: boolean, cap: number, follower?: ReadFollower): Promise<Uint8Array> {
    // the caller looked at the path before, but what is opened now is what counts: a pipe swapped in would block the read forever
    const { handle, size } = await openForReading(path, { missing: 'file', kind: 'a file TorchLab reads' })
    try {
      if (size > cap)
        throw labError(
          'FILE_UNREADABLE',
          `${path} grew to ${(size / 2 ** 30).toFixed(1)} GB while TorchLab opened it; TorchLab opens files of this kind up to ${(cap / 2 ** 30).toFixed(0)} GB. Nothing was changed.`,
        )
      const bytes = this.memory(path, size, shared).subarray(0, size)
      // the file may have changed since its size was taken: what is there is what is read, up to the first gap
      let end = size
      let last = size
      let told = follower
      if (told) {
        end = size - told.tailBytes(size)
        last = await readRange(handle, bytes, end, size)
        if (last === size) told.tail(bytes)
        else told = undefined
      }
      const filled = await readPieces(handle, bytes, end, told)
      if (filled < end) return bytes.subarray(0, filled)
      told?.known(size)
      return bytes.subarray(0, last)
    } finally {
      await handle.close()
    }
  }

  private memory(path: string, size: number, shared: boolean): Uint8Array {
    const kept = this.kept
    // one more than twice the file's size is let go, not held on for small files
    const fits = kept !== undefined && kept.byteLength >= size && kept.byteLength <= 2 * size && kept.buffer instanceof SharedArrayBuffer === shared
    if (fits) return kept
    this.kept = undefined
    try {
      this.kept = shared ? new Uint8Array(new SharedArrayBuffer(size)) : checksummedArea(size)
    } catch (err) {
      throw isAllocationFailure(err) ? tooLargeToRead(path, size) : err
    }
    return this.kept
  }
}

/** reads [from, to) until it is full or the file ends; where the reads stopped */
async function readRange(handle: FileHandle, into: Uint8Array, from: number, to: number): Promise<number> {
  let at = from
  for (let read = -1; read !== 0 && at < to; at += read) read = (await handle.read(into, at, to - at, at)).bytesRead
  return at
}

/** reads [0, end) a piece at a time, AT_ONCE pieces at once, telling the follower of each in order; where the first gap is */
async function readPieces(handle: FileHandle, into: Uint8Array, end: number, follower?: ReadFollower): Promise<number> {
  const reads: Promise<number>[] = []
  const issue = () => {
    const from = reads.length * PIECE
    if (from >= end) return
    const read = readRange(handle, into, from, Math.min(end, from + PIECE))
    // a read that fails while an earlier one is awaited is handled when its turn comes
    read.catch(() => {})
    reads.push(read)
  }
  try {
    for (let i = 0; i < AT_ONCE; i++) issue()
    for (let i = 0; i < reads.length; i++) {
      const to = Math.min(end, (i + 1) * PIECE)
      const at = await reads[i]
      if (at < to) return at
      issue()
      follower?.known(to)
    }
    return end
  } finally {
    // every read writes into the memory until it is done: none may outlive this read
    await Promise.allSettled(reads)
  }
}
