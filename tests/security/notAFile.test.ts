/**
 * Paths that name no regular file: a named pipe (whose open() blocks until something writes
 * into it, in a pool thread no time limit frees, so the process never exits), a symbolic link
 * loop and a folder. Each door refuses each one at once, by name, and the process exits.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, ROOT, tempDir } from '../helpers/lab'

const run = promisify(execFile)
const PIPE = /is not a file saved on disk but a named pipe/

let dir: string
const service = createService()

beforeAll(async () => {
  dir = tempDir('torchlab-not-a-file-')
  for (const name of ['pipe.pth', 'pipe.csv', 'pipe.json']) await run('mkfifo', [join(dir, name)])
  symlinkSync(join(dir, 'loop-b.pth'), join(dir, 'loop-a.pth'))
  symlinkSync(join(dir, 'loop-a.pth'), join(dir, 'loop-b.pth'))
  mkdirSync(join(dir, 'folder.pth'))
})
afterAll(() => service.dispose())

/** the CLI's exit code and its last line of stderr; a process that does not exit by itself fails the test */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, TORCHLAB_CONFIG_DIR: tempDir() }
  return run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), ...args], { cwd: ROOT, env, timeout: 40_000 })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((err: { code: number | null; killed?: boolean; stdout: string; stderr: string }) => {
      expect(err.killed, `lab ${args.join(' ')} did not exit`).toBeFalsy()
      return { code: err.code ?? -1, stdout: err.stdout, stderr: err.stderr }
    })
}

describe('a path that is no regular file', () => {
  it('the service refuses a named pipe as a .pth, a CSV and a lesson file at once, naming it', async () => {
    await expect(service.openCheckpoint(join(dir, 'pipe.pth'))).rejects.toThrow(PIPE)
    await expect(service.inspectCsv({ kind: 'file', path: join(dir, 'pipe.csv') }, {})).rejects.toThrow(PIPE)
    await expect(service.loadLessonFile(join(dir, 'pipe.json'))).rejects.toThrow(PIPE)
  })

  it('the service names a symbolic link loop and a folder', async () => {
    await expect(service.openCheckpoint(join(dir, 'loop-a.pth'))).rejects.toThrow(/symbolic link that leads round in a circle/)
    await expect(service.openCheckpoint(join(dir, 'folder.pth'))).rejects.toThrow(/folder\.pth is a folder, not a \.pth file/)
  })

  it('lab inspect refuses each and exits', async () => {
    const { code, stdout } = await cli(['inspect', '--json', ...['pipe.pth', 'loop-a.pth', 'folder.pth'].map((n) => join(dir, n))])
    expect(code).toBe(2)
    const errors = stdout.trim().split('\n').map((l) => (JSON.parse(l) as { error: { code: string; message: string } }).error)
    expect(errors.map((e) => e.code)).toEqual(['FILE_UNREADABLE', 'FILE_UNREADABLE', 'FILE_UNREADABLE'])
    expect(errors[0].message).toMatch(PIPE)
  }, 60_000)

  it('lab train --init with a named pipe for its JSON weights refuses it and exits', async () => {
    const { code, stderr } = await cli(['train', '--init', join(dir, 'pipe.json'), '--epochs', '1'])
    expect(code).toBe(2)
    expect(stderr).toMatch(PIPE)
  }, 60_000)
})
