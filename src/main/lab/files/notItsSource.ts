/**
 * A write must not replace the file it is made from: `lab export-py model.pth --out model.pth`
 * turned the student's checkpoint into a Python script, and predictions written over the CSV
 * they came from took the data with them. Compared by the file itself (device and inode), so a
 * symbolic link, another spelling of the folder or a hard link is caught too.
 */
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { labError } from '../../../shared/errors'

async function identity(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined)
  return info && `${info.dev}:${info.ino}`
}

/** refuses, before anything is written, a target that is one of `sources` itself; `what` names the write ("the script") */
export async function refuseWritingOver(sources: readonly string[], targets: readonly string[], what: string): Promise<void> {
  for (const source of sources) {
    const sourceId = await identity(source)
    for (const target of targets) {
      if (resolve(target) === resolve(source) || (sourceId !== undefined && (await identity(target)) === sourceId)) {
        throw labError('FILE_UNWRITABLE', `TorchLab will not write ${what} to ${target}: that is ${source}, which ${what} is made from and would replace. Choose another name; nothing was written.`)
      }
    }
  }
}
