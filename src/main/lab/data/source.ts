/** Finds and reads the bytes of a CSV source: a bundled course data set or a student's file. */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { CsvSource } from '../../../shared/schemas'
import { LabError, labError } from '../../../shared/errors'

/** Larger files would not fit the lab's in-memory tables on a classroom machine. */
export const MAX_CSV_BYTES = 1024 * 1024 * 1024

export function sourcePath(source: CsvSource, resourcesDir: string): string {
  return source.kind === 'bundled' ? join(resourcesDir, 'datasets', `${source.name}.csv`) : source.path
}

/** A CSV file's bytes, refused with a sentence when it is missing, a folder or too large to open; `read` reads them (the parse worker reads into memory it keeps). */
export async function readCsvBytes(path: string, read: (path: string) => Promise<Uint8Array>): Promise<Uint8Array> {
  let size: number
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw labError('FILE_UNREADABLE', `${path} is a folder, not a CSV file.`)
    size = info.size
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') {
      throw labError('FILE_NOT_FOUND', `There is no file at ${path}. Check the name and folder.`)
    }
    throw LabError.is(err) ? err : labError('FILE_UNREADABLE', `TorchLab cannot read ${path}: ${String(err)}`)
  }
  if (size > MAX_CSV_BYTES) {
    throw labError('FILE_UNREADABLE', `${path} is ${(size / 2 ** 30).toFixed(1)} GB; TorchLab opens CSV files up to 1 GB.`)
  }
  try {
    return await read(path)
  } catch (err) {
    throw LabError.is(err) ? err : labError('FILE_UNREADABLE', `TorchLab cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`)
  }
}
