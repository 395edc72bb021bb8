/**
 * A settings.json that is JSON but not what TorchLab wrote: a list, null, a number, or an object
 * whose every entry has the wrong type (hand-edited, or written by another program). TorchLab
 * starts from its defaults where it must, names in one sentence what it could not use, and keeps
 * the file's bytes in a copy before its next change overwrites them.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabService } from '../../src/main/lab/service'
import { RESOURCES, tempDir } from '../helpers/lab'

/** the service over a settings folder holding `text`, and the notes it gave while reading and changing its settings */
async function openWith(text: string) {
  const dir = tempDir('torchlab-settings-types-')
  writeFileSync(join(dir, 'settings.json'), text)
  const notes: string[] = []
  const service = new LabService({ resourcesDir: RESOURCES, settingsDir: dir, note: (sentence) => notes.push(sentence) })
  try {
    const read = await service.getSettings()
    const updated = await service.updateSettings({ theme: 'dark' })
    const copies = readdirSync(dir).filter((name) => name.startsWith('settings.json.unreadable-'))
    return { read, updated, notes, copies: copies.map((name) => readFileSync(join(dir, name), 'utf8')), saved: JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) }
  } finally {
    service.dispose()
  }
}

describe('a settings.json that is JSON but not settings', () => {
  it.each([
    ['a list', '["dark", "/tmp/a.pth"]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"dark"'],
  ])('holding %s: defaults, one sentence naming it, and the bytes kept in a copy', async (kind, text) => {
    const opened = await openWith(text)
    expect(opened.read).toEqual({ theme: 'system', recentFiles: [] })
    expect(opened.notes).toEqual([
      expect.stringMatching(new RegExp(`^The saved settings \\(.*settings\\.json\\) were not readable \\(it is JSON, but ${kind} where TorchLab keeps its settings by name\\); TorchLab kept a copy as .*settings\\.json\\.unreadable-.* and started from its defaults\\.$`)),
    ])
    expect(opened.copies).toEqual([text])
    expect(opened.saved).toEqual({ theme: 'dark', recentFiles: [] })
  })
})

describe('a settings.json whose entries have the wrong types', () => {
  const wrong = {
    lastDataset: 5,
    lastModel: 'linear',
    lastTrain: [],
    lastEngine: 7,
    lastPace: 'fast',
    lastSearch: true,
    windowBounds: { x: 'left', y: 0, width: 800, height: 600 },
    theme: 42,
    recentFiles: '/tmp/a.pth',
    lessonProgress: ['dataloader'],
  }

  it('leaves out each, named in one sentence, and keeps the file in a copy before the next change', async () => {
    const text = JSON.stringify(wrong)
    const opened = await openWith(text)
    expect(opened.read).toEqual({ theme: 'system', recentFiles: [] })
    const named = Object.keys(wrong).map((key) => `"${key}"`).join(', ')
    expect(opened.notes).toEqual([
      expect.stringMatching(/^The saved settings .* \(.*settings\.json\) were not of a kind this version of TorchLab can use; TorchLab kept a copy as .*settings\.json\.unreadable-.* and left them out\.$/),
    ])
    expect(opened.notes[0]).toContain(named)
    expect(opened.copies).toEqual([text])
    expect(opened.saved).toEqual({ theme: 'dark', recentFiles: [] })
  })

  it('keeps the entries that are right beside one that is wrong', async () => {
    const opened = await openWith(JSON.stringify({ theme: 'light', recentFiles: ['/tmp/a.pth', 5], lastEngine: 'dense' }))
    expect(opened.read).toEqual({ theme: 'light', recentFiles: [], lastEngine: 'dense' })
    expect(opened.notes).toEqual([expect.stringMatching(/^The saved settings "recentFiles" \(.*\) were not of a kind .*; TorchLab kept a copy as .* and left it out\.$/)])
    expect(opened.updated).toEqual({ theme: 'dark', recentFiles: [], lastEngine: 'dense' })
  })

  it('says nothing and copies nothing for a file TorchLab wrote itself', async () => {
    const opened = await openWith(JSON.stringify({ theme: 'light', recentFiles: ['/tmp/a.pth'], lastEngine: 'dense' }))
    expect(opened.notes).toEqual([])
    expect(opened.copies).toEqual([])
    expect(opened.saved).toEqual({ theme: 'dark', recentFiles: ['/tmp/a.pth'], lastEngine: 'dense' })
  })
})
