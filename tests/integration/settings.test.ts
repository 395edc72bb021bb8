/** Settings survive what a session does: a Start remembers the run without wiping the theme or the recent files. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabService } from '../../src/main/lab/service'
import { RESOURCES, tempDir } from '../helpers/lab'

const course = {
  dataset: { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' as const },
  train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs: 5, batchSize: 2 },
}

describe('settings', () => {
  it('keeps the theme and recent files through a Start, and remembers the engine and pace', async () => {
    const dir = tempDir('torchlab-settings-')
    const service = new LabService({ resourcesDir: RESOURCES, settingsDir: dir })
    try {
      await service.updateSettings({ theme: 'dark', recentFiles: ['/tmp/a.pth'] })
      const { runId } = await service.startTraining({ ...course, engine: 'dense', pace: 50 })
      await service.waitForRun(runId)
      const settings = await service.getSettings()
      expect(settings).toMatchObject({ theme: 'dark', recentFiles: ['/tmp/a.pth'], lastEngine: 'dense', lastPace: 50, lastModel: { kind: 'linear' } })
      expect(settings.lastTrain?.epochs).toBe(5)
      // a patch changes only what it names
      expect(await service.updateSettings({ lastPace: null })).toMatchObject({ theme: 'dark', recentFiles: ['/tmp/a.pth'], lastPace: null })
    } finally {
      service.dispose()
    }
    // a later session reads them back from the file
    const next = new LabService({ resourcesDir: RESOURCES, settingsDir: dir })
    expect(await next.getSettings()).toMatchObject({ theme: 'dark', recentFiles: ['/tmp/a.pth'], lastEngine: 'dense' })
    next.dispose()
  })

  it('drops a stale entry alone and keeps the rest', async () => {
    const dir = tempDir('torchlab-settings-')
    const first = new LabService({ resourcesDir: RESOURCES, settingsDir: dir })
    await first.updateSettings({ theme: 'light', recentFiles: ['/tmp/b.pth'] })
    first.dispose()
    const file = join(dir, 'settings.json')
    const stored = JSON.parse(readFileSync(file, 'utf8'))
    writeFileSync(file, JSON.stringify({ ...stored, lastModel: { kind: 'transformer' }, lastPace: -3 }))
    const service = new LabService({ resourcesDir: RESOURCES, settingsDir: dir })
    const settings = await service.getSettings()
    expect(settings).toMatchObject({ theme: 'light', recentFiles: ['/tmp/b.pth'] })
    expect(settings.lastModel).toBeUndefined()
    expect(settings.lastPace).toBeUndefined()
    service.dispose()
  })
})
