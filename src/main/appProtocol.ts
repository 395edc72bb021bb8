/**
 * The window's own origin. The built renderer is served on torchlab://app (a standard, secure
 * scheme registered before the app is ready), never from file://, so every check compares one
 * exact origin: file:// would admit any file on the disk, and a prefix test admits
 * "torchlab://app.evil" or "http://localhost:51730" for "http://localhost:5173".
 * Pure, so the Electron shell's decisions are tested without Electron.
 */
import { staticFileFor } from './staticFiles'

export const APP_SCHEME = 'torchlab'
const APP_HOST = 'app'
export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`

function parse(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/** Whether `url` is one of the window's pages: exactly the app's origin, or in development exactly the dev server's. */
export function isOwnPage(url: string, devServer?: string): boolean {
  const page = parse(url)
  if (!page || page.username || page.password) return false
  if (devServer) {
    const dev = parse(devServer)
    return !!dev && page.protocol === dev.protocol && page.host === dev.host
  }
  return page.protocol === `${APP_SCHEME}:` && page.host === APP_HOST
}

/** The file of the built renderer (under `rendererDir`, absolute) that a torchlab:// request asks for, or null. */
export function appFileFor(url: string, rendererDir: string): string | null {
  return isOwnPage(url) ? staticFileFor(rendererDir, new URL(url).pathname) : null
}
