import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { RunSummary } from '../../src/shared/api'
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

/** stops a slowly paced run between two batches, as a student's Stop lands: paused, stepped off an epoch's end, stopped */
export async function stopMidEpoch(service: LabService, runId: string): Promise<RunSummary> {
  await service.controlRun({ runId, action: 'pause' })
  // one step from wherever the pause landed: at most one of two runs of this is an epoch's end
  for (let i = 0; i < 2; i++) {
    await service.controlRun({ runId, action: 'step' })
    const { steps, stepsPerEpoch } = await service.getRun(runId)
    if (steps % stepsPerEpoch !== 0) break
  }
  await service.controlRun({ runId, action: 'stop' })
  return service.waitForRun(runId)
}
