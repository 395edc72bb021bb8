import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { LabService } from '../../src/main/lab/service'

export const ROOT = resolve(import.meta.dirname, '..', '..')
export const RESOURCES = join(ROOT, 'resources')
export const DATASETS = join(RESOURCES, 'datasets')

export function tempDir(prefix = 'torchlab-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function createService(): LabService {
  return new LabService({ resourcesDir: RESOURCES, settingsDir: tempDir('torchlab-settings-') })
}
