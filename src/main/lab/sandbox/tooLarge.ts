/**
 * A file whose bytes or values the machine has no memory for. An ArrayBuffer lives outside the
 * worker's heap limit, so running short of it is no out-of-memory exit but a RangeError thrown
 * wherever the allocation was; a string longer than V8 allows is the same kind of failure.
 */
import { labError, type LabError } from '../../../shared/errors'

const ALLOCATION_FAILURES = ['Array buffer allocation failed', 'Invalid string length']

export function isAllocationFailure(err: unknown): boolean {
  // a checksummed area (checkpoint/crc32) is a WebAssembly memory, which says so in its own words
  return err instanceof RangeError && (ALLOCATION_FAILURES.includes(err.message) || err.message.startsWith('WebAssembly.Memory()'))
}

/** the refusal of a file of `size` bytes that did not fit in memory */
export function tooLargeToRead(path: string, size: number): LabError {
  return labError(
    'FILE_UNREADABLE',
    `${path} (${(size / 2 ** 20).toFixed(1)} MB) is too large to read in memory on this machine right now. Close other programs and try again, or use a smaller file. Nothing was changed.`,
  )
}
