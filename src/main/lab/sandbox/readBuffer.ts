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
import { labError } from '../../../shared/errors'
import { openForReading } from '../files/openForReading'
import { isAllocationFailure, tooLargeToRead } from './tooLarge'

/** one read call's limit is 2 GB - 1 (Node's), so a .pth of exactly 2 GB takes two */
const CHUNK = 2 ** 30

export class ReadBuffer {
  private kept?: ArrayBuffer | SharedArrayBuffer

  /**
   * The whole file; `shared`: in a SharedArrayBuffer, for a second worker to read part of it.
   * `cap`: the most bytes the caller opens, checked again on the open file, which may have grown
   * since the caller looked.
   */
  async read(path: string, shared: boolean, cap: number): Promise<Uint8Array> {
    // the caller looked at the path before, but what is opened now is what counts: a pipe swapped in would block the read forever
    const { handle, size } = await openForReading(path, { missing: 'file', kind: 'a file TorchLab reads' })
    try {
      if (size > cap)
        throw labError(
          'FILE_UNREADABLE',
          `${path} grew to ${(size / 2 ** 30).toFixed(1)} GB while TorchLab opened it; TorchLab opens files of this kind up to ${(cap / 2 ** 30).toFixed(0)} GB. Nothing was changed.`,
        )
      const bytes = new Uint8Array(this.memory(path, size, shared), 0, size)
      let filled = 0
      // the file may have changed since its size was taken: what is there is what is read
      for (let read = -1; read !== 0 && filled < size; filled += read)
        read = (await handle.read(bytes, filled, Math.min(size - filled, CHUNK), filled)).bytesRead
      return filled === size ? bytes : bytes.subarray(0, filled)
    } finally {
      await handle.close()
    }
  }

  private memory(path: string, size: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
    const kept = this.kept
    // a transferred buffer is detached (length 0) and never reused; one more than twice the file's size is let go, not held on for small files
    const fits =
      kept !== undefined &&
      kept.byteLength >= size &&
      kept.byteLength <= 2 * size &&
      kept.byteLength > 0 &&
      kept instanceof SharedArrayBuffer === shared
    if (fits) return kept
    this.kept = undefined
    try {
      this.kept = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size)
    } catch (err) {
      throw isAllocationFailure(err) ? tooLargeToRead(path, size) : err
    }
    return this.kept
  }
}
