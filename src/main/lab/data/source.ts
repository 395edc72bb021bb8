/** Finds and reads the bytes of a CSV source: a bundled course data set or a student's file. */
import { join } from 'node:path'
import type { CsvSource } from '../../../shared/schemas'
import { readRegularFile } from '../files/openForReading'

/** Larger files would not fit the lab's in-memory tables on a classroom machine. */
export const MAX_CSV_BYTES = 1024 * 1024 * 1024

export function sourcePath(source: CsvSource, resourcesDir: string): string {
  return source.kind === 'bundled' ? join(resourcesDir, 'datasets', `${source.name}.csv`) : source.path
}

/** A CSV file's bytes, refused with a sentence when it is missing, a folder, a pipe or too large to open; `read` reads them (the parse worker reads into memory it keeps). */
export function readCsvBytes(path: string, read: (path: string) => Promise<Uint8Array>): Promise<Uint8Array> {
  return readRegularFile(path, { missing: 'file', kind: 'a CSV file' }, { files: 'CSV files', bytes: MAX_CSV_BYTES }, read)
}
