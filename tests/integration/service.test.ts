/** The LabService through the same dispatch the IPC handler and the bridge use. */
import { afterAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/lab/dispatch'
import { LabService } from '../../src/main/lab/service'
import { createService, RESOURCES, tempDir } from '../helpers/lab'
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const service = createService()
afterAll(() => service.dispose())

describe('dispatch', () => {
  it('answers with values, and with typed errors instead of throwing', async () => {
    expect(await dispatch(service, 'listDatasets', [])).toMatchObject({ ok: true, value: expect.arrayContaining([expect.objectContaining({ name: 'cars' })]) })
    expect(await dispatch(service, 'deleteEverything', [])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(await dispatch(service, 'getRun', 'run-1')).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    const badSpec = await dispatch(service, 'startTraining', [{ dataset: { source: { kind: 'bundled', name: 'cars' }, features: [], target: 'mpg' } }])
    expect(badSpec).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/feature/) } })
  })

  it('reports the backend it really started, from a worker', async () => {
    const info = await service.getBackend()
    expect(info.engine).toBe('tfjs')
    expect(['tensorflow', 'wasm', 'cpu']).toContain(info.backend)
    // tfjs-node cannot install here; it must be reported as unavailable, never claimed
    if (info.backend !== 'tensorflow') expect(info.unavailable.map((u) => u.backend)).toContain('tensorflow')
  })

  it('previews a CSV with column types, missing counts and statistics', async () => {
    const preview = await service.inspectCsv({ kind: 'bundled', name: 'cars' }, {})
    expect(preview).toMatchObject({ delimiter: ',', header: true, rowCount: 32 })
    expect(preview.rows[0][0]).toBe('Mazda RX4')
    expect(preview.columns.find((c) => c.name === 'wt')).toMatchObject({ kind: 'numeric', missing: 0, min: 1.513, max: 5.424 })
  })

  it('evaluates a finished run with least squares beside it', async () => {
    const { runId } = await service.startTraining({
      dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg', valSplit: 0.25, splitSeed: 1 },
      model: { kind: 'linear' },
      train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 200, batchSize: 4 },
    })
    const summary = await service.waitForRun(runId)
    expect(summary.valLossHistory).toHaveLength(200)
    const evaluation = await service.evaluate(runId, 'validation')
    expect(evaluation.regression!.mse).toBeGreaterThan(0)
    expect(evaluation.ols!.coef).toHaveLength(1)
    expect(evaluation.points.x).toHaveLength(8)
  })

  it('remembers the last run settings, and survives a corrupt settings file', async () => {
    const dir = tempDir('torchlab-settings-')
    const first = new LabService({ resourcesDir: RESOURCES, settingsDir: dir })
    await first.updateSettings({ theme: 'dark', windowBounds: { x: 1, y: 2, width: 800, height: 600 } })
    const second = new LabService({ resourcesDir: RESOURCES, settingsDir: dir })
    expect(await second.getSettings()).toMatchObject({ theme: 'dark', windowBounds: { width: 800 } })
    await expect(second.updateSettings({ theme: 'purple' as 'dark' })).rejects.toMatchObject({ info: { code: 'INVALID_ARGUMENT' } })
    writeFileSync(join(dir, 'settings.json'), '{"theme": 42, "windowBounds": "big"}')
    const third = new LabService({ resourcesDir: RESOURCES, settingsDir: dir })
    expect(await third.getSettings()).toEqual({ theme: 'system', recentFiles: [] })
  })

  it('reads a file again when it was replaced keeping its modification time (cp -p, unzip)', async () => {
    const dir = tempDir('torchlab-replaced-')
    const path = join(dir, 'data.csv')
    // a whole second, so setting it again gives the very same mtimeMs
    const then = new Date('2026-09-01T08:00:00Z')
    writeFileSync(path, 'x,y\n1,2\n3,4\n')
    utimesSync(path, then, then)
    const service = new LabService({ resourcesDir: RESOURCES, settingsDir: tempDir('torchlab-settings-') })
    expect((await service.inspectCsv({ kind: 'file', path }, {})).columns.map((c) => c.name)).toEqual(['x', 'y'])
    writeFileSync(path, 'a,b\n5,6\n7,8\n')
    utimesSync(path, then, then)
    expect((await service.inspectCsv({ kind: 'file', path }, {})).columns.map((c) => c.name)).toEqual(['a', 'b'])
    service.dispose()
  })

  it('starts from its defaults when the settings file is not JSON, keeping a copy of it', async () => {
    const dir = tempDir('torchlab-settings-')
    const cut = '{"theme": "dark", "recentFiles": ["/home/student/ca'
    writeFileSync(join(dir, 'settings.json'), cut)
    const notes: string[] = []
    const service = new LabService({ resourcesDir: RESOURCES, settingsDir: dir, note: (s) => notes.push(s) })
    expect(await service.getSettings()).toEqual({ theme: 'system', recentFiles: [] })
    expect(await service.updateSettings({ theme: 'light' })).toMatchObject({ theme: 'light' })
    const copies = readdirSync(dir).filter((f) => f.startsWith('settings.json.unreadable-'))
    expect(copies).toHaveLength(1)
    expect(readFileSync(join(dir, copies[0]), 'utf8')).toBe(cut)
    expect(notes).toEqual([expect.stringMatching(/^The saved settings \(.*settings\.json\) were not readable \(.+\); TorchLab kept a copy as .*settings\.json\.unreadable-.* and started from its defaults\.$/)])
    service.dispose()
  })

  it('opens with settings kept in memory where the settings folder cannot be made, and says so', async () => {
    const dir = tempDir('torchlab-settings-')
    writeFileSync(join(dir, 'not-a-folder'), '')
    const notes: string[] = []
    const service = new LabService({ resourcesDir: RESOURCES, settingsDir: join(dir, 'not-a-folder', 'torchlab'), note: (s) => notes.push(s) })
    expect(await service.getSettings()).toEqual({ theme: 'system', recentFiles: [] })
    await service.updateSettings({ theme: 'dark' })
    expect(await service.getSettings()).toMatchObject({ theme: 'dark' })
    expect(notes).toEqual([expect.stringMatching(/^TorchLab cannot keep its settings on this machine \(.*ENOTDIR.*\); it will forget them when it closes\.$/)])
    service.dispose()
  })
})
