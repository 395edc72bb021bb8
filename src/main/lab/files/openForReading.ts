/**
 * Opens a file a student named, for reading, only when it is a regular file. A named pipe
 * (FIFO) blocks open() until something writes into it, in one of libuv's pool threads: no
 * worker's time limit frees that thread, and the process can then never exit. Opened with
 * O_NONBLOCK, a pipe opens at once; the handle's own fstat then says what was really opened, so
 * nothing can be swapped in between a check and the open.
 */
import { constants as buffer } from 'node:buffer'
import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { LabError, labError, messageIn } from '../../../shared/errors'
import { errnoOf } from './errno'

/** how a refusal names what was wanted: "There is no {missing} at …", "… is a folder, not {kind}." */
export interface Wanted {
  missing: string
  kind: string
}

function refusal(err: unknown, path: string, wanted: Wanted): LabError {
  if (LabError.is(err)) return err
  switch (errnoOf(err)) {
    case 'ENOENT':
      return labError('FILE_NOT_FOUND', `There is no ${wanted.missing} at ${path}.`)
    case 'EISDIR':
      return labError('FILE_UNREADABLE', `${path} is a folder, not ${wanted.kind}.`)
    case 'ELOOP':
      return labError('FILE_UNREADABLE', `${path} is a symbolic link that leads round in a circle to no file; choose ${wanted.kind} itself.`)
    case 'EACCES':
    case 'EPERM':
      return labError('FILE_UNREADABLE', `TorchLab is not allowed to read ${path}: its permissions forbid it. Copy it somewhere you own, or change its permissions.`)
    default:
      return labError('FILE_UNREADABLE', `TorchLab cannot read ${path}: ${messageIn(err)}`)
  }
}

/** the most bytes TorchLab opens of one kind of file, as a sentence names them ("CSV files", 1 GB) */
export interface SizeLimit {
  files: string
  bytes: number
}

/**
 * A student's file read whole by `read` (the parse worker reads into memory it keeps), refused
 * with a sentence when it is missing, no regular file, or larger than the limit, before a byte
 * is read.
 */
export async function readRegularFile(path: string, wanted: Wanted, limit: SizeLimit, read: (path: string) => Promise<Uint8Array>): Promise<Uint8Array> {
  const size = await regularFileSize(path, wanted)
  if (size > limit.bytes) {
    throw labError('FILE_UNREADABLE', `${path} is ${(size / 2 ** 30).toFixed(1)} GB; TorchLab opens ${limit.files} up to ${limit.bytes / 2 ** 30} GB.`)
  }
  try {
    return await read(path)
  } catch (err) {
    throw refusal(err, path, wanted)
  }
}

/** the open file and its size; the caller closes it */
export async function openForReading(path: string, wanted: Wanted): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle | undefined
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    const info = await handle.stat()
    if (info.isDirectory()) throw labError('FILE_UNREADABLE', `${path} is a folder, not ${wanted.kind}.`)
    if (!info.isFile()) {
      throw labError('FILE_UNREADABLE', `${path} is not a file saved on disk but a named pipe, a device or a socket, which TorchLab does not read from; choose ${wanted.kind}.`)
    }
    return { handle, size: info.size }
  } catch (err) {
    await handle?.close()
    throw refusal(err, path, wanted)
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`
}

/** the size of a regular file, refused with a sentence when it is missing or is no regular file */
export async function regularFileSize(path: string, wanted: Wanted): Promise<number> {
  const { handle, size } = await openForReading(path, wanted)
  await handle.close()
  return size
}

/** the longest string V8 makes: a larger file cannot be one text */
const LONGEST_TEXT = buffer.MAX_STRING_LENGTH

/**
 * A whole regular file as UTF-8 text; one larger than `maxBytes` (at most the longest string) is
 * refused by its size before a byte is read: it would otherwise be read whole, then fail as text
 * in Node's words.
 */
export async function readTextFile(path: string, wanted: Wanted, maxBytes = LONGEST_TEXT): Promise<string> {
  const { handle, size } = await openForReading(path, wanted)
  try {
    if (size > maxBytes) {
      throw labError('FILE_UNREADABLE', `${path} is ${megabytes(size)}, larger than the ${megabytes(maxBytes)} TorchLab reads as ${wanted.kind}.`)
    }
    return await handle.readFile('utf8')
  } catch (err) {
    throw refusal(err, path, wanted)
  } finally {
    await handle.close()
  }
}
