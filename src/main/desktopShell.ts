/**
 * Whether `npm start` can open the desktop window, and if not, why in one clause. Where
 * Electron's binary is missing (an offline install skips its download) or there is no display,
 * the launcher serves the same window through the browser harness instead.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

export type ShellChoice = { kind: 'electron' } | { kind: 'browser'; reason: string }

export interface ShellFacts {
  /** what require('electron') gave in plain Node: the binary's path, or the error it threw */
  binary: string | Error
  binaryExists: boolean
  platform: NodeJS.Platform
  env: Record<string, string | undefined>
  /** the student asked for the browser (npm start -- --browser) */
  browserAsked: boolean
}

export function chooseShell(facts: ShellFacts): ShellChoice {
  if (facts.browserAsked) return { kind: 'browser', reason: 'you asked for the browser (--browser)' }
  if (facts.binary instanceof Error) {
    const why = facts.env.ELECTRON_SKIP_BINARY_DOWNLOAD ? 'npm skipped its download: ELECTRON_SKIP_BINARY_DOWNLOAD is set' : 'its download was skipped or failed, as in an offline install'
    return { kind: 'browser', reason: `Electron's binary is not installed (${why})` }
  }
  if (!facts.binaryExists) return { kind: 'browser', reason: `Electron's binary is missing from ${facts.binary}` }
  if (facts.platform === 'linux' && !facts.env.DISPLAY && !facts.env.WAYLAND_DISPLAY) {
    return { kind: 'browser', reason: 'there is no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set)' }
  }
  return { kind: 'electron' }
}

/** The facts of this machine. */
export function shellFacts(browserAsked: boolean): ShellFacts {
  let binary: string | Error
  try {
    // the electron package, in plain Node, exports its binary's path or throws when it was never downloaded
    binary = createRequire(import.meta.url)('electron') as string
  } catch (err) {
    binary = err instanceof Error ? err : new Error(String(err))
  }
  return { binary, binaryExists: typeof binary === 'string' && existsSync(binary), platform: process.platform, env: process.env, browserAsked }
}

export function unavailableLine(reason: string): string {
  return `TorchLab: the desktop window is unavailable: ${reason}. Serving the same window in your browser instead.`
}
