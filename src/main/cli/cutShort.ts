/**
 * What a second Ctrl+C leaves of a save it cut short. Every save goes through a temporary file
 * renamed over its target, so the target is whole either way; the temporary file, which the next
 * save would tidy only later, is removed now, so the folder holds nothing half-written.
 */
import { readdirSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { writerOf } from '../lab/service'

/** removes this process's temporary files for `path`; says what the student has there */
export function abandonSave(path: string): string {
  const prefix = `.${basename(path)}.`
  let names: string[] = []
  try {
    names = readdirSync(dirname(path))
  } catch {
    // the folder cannot be listed: no temporary file could have been made in it either
  }
  for (const name of names) if (name.startsWith(prefix) && writerOf(name) === process.pid) rmSync(join(dirname(path), name), { force: true })
  return `The save of ${path} was cut short: ${path} is the file that was there before, or the new one whole, never a part of it.`
}
