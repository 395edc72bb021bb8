/** Finds and reads the bytes of a CSV source: a bundled course data set or a student's file. */
import { join } from 'node:path'
import type { CsvSource } from '../../../shared/schemas'
import { LabError, labError, messageIn } from '../../../shared/errors'
import { regularFileSize } from '../files/openForReading'

/** Larger files would not fit the lab's in-memory tables on a classroom machine. */
export const MAX_CSV_BYTES = 1024 * 1024 * 1024

export function sourcePath(source: CsvSource, resourcesDir: string): string {
  return source.kind === 'bundled' ? join(resourcesDir, 'datasets', `${source.name}.csv`) : source.path
}

/** A CSV file's bytes, refused with a sentence when it is missing, a folder, a pipe or too large to open; `read` reads them (the parse worker reads into memory it keeps). */
export async function readCsvBytes(path: string, read: (path: string) => Promise<Uint8Array>): Promise<Uint8Array> {
  const size = await regularFileSize(path, { missing: 'file', kind: 'a CSV file' })
  if (size > MAX_CSV_BYTES) {
    throw labError('FILE_UNREADABLE', `${path} is ${(size / 2 ** 30).toFixed(1)} GB; TorchLab opens CSV files up to 1 GB.`)
  }
  try {
    return await read(path)
  } catch (err) {
    throw LabError.is(err) ? err : labError('FILE_UNREADABLE', `TorchLab cannot read ${path}: ${messageIn(err)}`)
  }
}
