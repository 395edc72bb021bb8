/**
 * What an older TorchLab wrote still loads where this one refuses unknown keys in a request:
 * saved settings keep every entry, leaving out (with a note, given once) the keys this version
 * no longer has; a checkpoint's TorchLab record does the same, as torch itself rewrote the file.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabService } from '../../src/main/lab/service'
import { python } from '../helpers/python'
import { RESOURCES, tempDir } from '../helpers/lab'

const course = {
  dataset: { source: { kind: 'bundled' as const, name: 'cars' as const }, features: ['wt'], target: 'mpg' },
  model: { kind: 'linear' as const },
  train: { optimizer: { name: 'SGD' as const, lr: 0.02 }, epochs: 3, batchSize: 2 },
}

describe('settings an older TorchLab saved', () => {
  it('load without the keys this version does not have, each named once in a note', async () => {
    const dir = tempDir('torchlab-old-settings-')
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        theme: 'dark',
        recentFiles: ['/tmp/a.pth'],
        lastBackend: 'wasm',
        lastTrain: { ...course.train, optimizer: { ...course.train.optimizer }, warmup: 5 },
        lastModel: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 4, initScheme: 'kaiming' }, { kind: 'ReLU' }, { kind: 'Linear' }] },
        lastDataset: { ...course.dataset, parse: { delimiter: ',', quoteChar: '"' } },
      }),
    )
    const notes: string[] = []
    const service = new LabService({ resourcesDir: RESOURCES, settingsDir: dir, note: (sentence) => notes.push(sentence) })
    try {
      const settings = await service.getSettings()
      expect(settings).toMatchObject({ theme: 'dark', recentFiles: ['/tmp/a.pth'], lastTrain: { epochs: 3, batchSize: 2 }, lastDataset: { parse: { delimiter: ',' } } })
      expect(settings.lastTrain).not.toHaveProperty('warmup')
      expect(settings.lastModel).toEqual({ kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 4 }, { kind: 'ReLU' }, { kind: 'Linear' }] })
      expect(settings.lastDataset?.parse).not.toHaveProperty('quoteChar')
      // read again: the same notes are not given twice
      await service.getSettings()
      expect(notes.sort()).toEqual(
        [
          'Left out "lastBackend" of the saved settings: this version of TorchLab has no such setting.',
          'Left out "warmup" of the saved training settings: this version of TorchLab has no such setting.',
          'Left out "initScheme" of layers[0] (Linear): this version of TorchLab has no such setting.',
          'Left out "quoteChar" of the CSV options: this version of TorchLab has no such setting.',
        ].sort(),
      )
      // the next save writes what this version knows, and keeps the rest
      await service.updateSettings({ theme: 'light' })
      const stored = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))
      expect(stored).toMatchObject({ theme: 'light', recentFiles: ['/tmp/a.pth'], lastTrain: { epochs: 3 } })
      expect(JSON.stringify(stored)).not.toMatch(/lastBackend|warmup|initScheme|quoteChar/)
    } finally {
      service.dispose()
    }
  })
})

describe("a checkpoint's TorchLab record with a key this version does not have", () => {
  it('still gives the model, the data set and the training settings it recorded', async () => {
    const dir = tempDir('torchlab-old-checkpoint-')
    const saved = join(dir, 'run.pth')
    const older = join(dir, 'older.pth')
    const service = new LabService({ resourcesDir: RESOURCES, settingsDir: dir, note: () => undefined })
    try {
      const { runId } = await service.startTraining({ ...course, model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 3 }, { kind: 'Tanh' }, { kind: 'Linear' }] } })
      await service.waitForRun(runId)
      await service.saveRun({ runId, path: saved, kind: 'checkpoint' })
      // the file as an older TorchLab might have written it: torch rewrites it with keys added to the record
      await python(
        `import torch
c = torch.load(INPUT['saved'])
c['torchlab']['train']['warmup'] = 5
c['torchlab']['model']['layers'][1]['inplace'] = False
c['torchlab']['gitCommit'] = 'abc'
torch.save(c, INPUT['older'])
print('null')`,
        { saved, older },
      )
      const info = await service.openCheckpoint(older)
      expect(info.torchlab).toMatchObject({ model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 3 }, { kind: 'Tanh' }, { kind: 'Linear' }] }, train: { epochs: 3 } })
      expect(info.torchlab?.train).not.toHaveProperty('warmup')
      expect(info.torchlab).not.toHaveProperty('gitCommit')
      expect(info.modelNote).toBe('The model as TorchLab saved it, activations included.')
    } finally {
      service.dispose()
    }
  }, 120_000)
})
