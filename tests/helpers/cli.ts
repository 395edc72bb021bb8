/** The `lab` command as a student's shell runs it: a real child process, its streams, its exit. */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './lab'

export interface LabExit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface LabOptions {
  /** the settings folder (TORCHLAB_CONFIG_DIR) */
  settingsDir: string
  cwd?: string
  env?: Record<string, string>
  /** stdout as the shell would give it: a pipe (default), or a file descriptor (/dev/full) */
  stdout?: 'pipe' | number
}

/** starts `lab ARGS` (tsx's loader given by path, so any cwd works) */
export function startLab(args: string[], options: LabOptions): ChildProcess {
  const stdio: StdioOptions = ['ignore', options.stdout ?? 'pipe', 'pipe']
  return spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'src/main/cli.ts'), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, TORCHLAB_CONFIG_DIR: options.settingsDir, ...options.env },
    stdio,
  })
}

/** what the process printed and how it ended */
export function exited(child: ChildProcess): Promise<LabExit> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
}

export const runLab = (args: string[], options: LabOptions): Promise<LabExit> => exited(startLab(args, options))
