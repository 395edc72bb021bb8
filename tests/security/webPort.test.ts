/**
 * `npm run web -- --port N` (and `npm start -- --port N`) with a port that is no number, or one
 * another program holds: one sentence on stderr and an exit code, where Node printed a stack
 * trace (ERR_SOCKET_BAD_PORT, an unhandled EADDRINUSE 'error' event).
 */
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../helpers/lab'

const run = promisify(execFile)

async function web(port: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/web.ts'), '--port', port], {
      cwd: ROOT,
      env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir('torchlab-web-settings-') },
      timeout: 60_000,
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string }
    return { code, stdout, stderr }
  }
}

const taken: Server = createServer()
const takenPort = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)))
afterAll(() => taken.close())

describe('npm run web with a port it cannot use', () => {
  it('no number: says what --port takes, and exits 2', async () => {
    const result = await web('abc')
    expect(result).toMatchObject({ code: 2, stdout: '' })
    expect(result.stderr).toBe('--port takes a port number from 0 to 65535 (0: any free port); "abc" is not one.\n')
  })

  it('taken by another program: says so in one sentence, and exits 1', async () => {
    const result = await web(String(takenPort))
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toBe(
      `TorchLab cannot serve its window on 127.0.0.1 port ${takenPort}: another program is using that port. Choose another port with --port, or leave --port out for a free one.\n`,
    )
  })
})
