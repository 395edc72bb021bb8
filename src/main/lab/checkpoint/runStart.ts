/**
 * Where a run's weights started, as its checkpoint records it, and the same start found again for
 * export-py: a script that starts elsewhere than its run trains something else. A run from
 * TorchLab's seeded init records nothing (the seed is in its settings); a run from a .pth records
 * the file's path, key and SHA-256, and the script starts from that file's weights while it is
 * still that file; a run from weights given as JSON, or one that took the file's optimizer state
 * too, cannot be started again from what the checkpoint holds, and export-py says so.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { resolve } from 'node:path'
import type { TorchlabMeta } from '../../../shared/api'
import { labError } from '../../../shared/errors'
import type { StateDict } from '../model/stateDict'
import type { StartingPoint } from './files'

export type StartRecord = NonNullable<TorchlabMeta['start']>

/** a file's SHA-256 in hex, read as a stream so that a large file does not hold the main process */
export function fileSha256(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex')))
  })
}

/** what a run's checkpoint records of its start; undefined for TorchLab's seeded init */
export async function recordStart(request: { init?: unknown; initFrom?: string; initKey?: string }, sha256 = fileSha256): Promise<StartRecord | undefined> {
  if (request.init !== undefined) return { weights: 'json' }
  if (request.initFrom === undefined) return undefined
  const file = resolve(request.initFrom)
  return { file, ...(request.initKey !== undefined ? { key: request.initKey } : {}), sha256: await sha256(file) }
}

/**
 * the weights a run started from, read again from its file as the run read them (`read`: the
 * sandbox's startingPoint), or a sentence saying why the script cannot start there
 */
export async function startAgain(start: StartRecord, read: (file: string, key: string | undefined) => Promise<StartingPoint>, sha256 = fileSha256): Promise<StateDict> {
  if ('weights' in start) {
    throw labError(
      'CHECKPOINT_UNSUPPORTED',
      'This run started from weights given as JSON, which its checkpoint does not hold, so export-py cannot start the script where the run started. Save those weights as a .pth and train from the file to export the run.',
    )
  }
  let now: string
  try {
    now = await sha256(start.file)
  } catch {
    throw labError('FILE_NOT_FOUND', `This run started from ${start.file}, which cannot be read now. export-py starts the script from that same file: put it back where it was to export the run.`)
  }
  if (now !== start.sha256) {
    throw labError('CHECKPOINT_UNSUPPORTED', `This run started from ${start.file}, which has changed since, so the script would start elsewhere than the run did. Put the original file back to export the run.`)
  }
  const point = await read(start.file, start.key)
  if (point.optimizer) {
    throw labError(
      'CHECKPOINT_UNSUPPORTED',
      `This run started from ${start.file}'s weights and its optimizer state. The script reads files only as torch.load(weights_only=True) reads them, which in torch 1.13 cannot hold an optimizer's settings, so it would train otherwise. Export a run that starts from the file's weights alone (a state_dict) instead.`,
    )
  }
  return point.initial
}
