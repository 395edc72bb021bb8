/**
 * Which file of the built renderer a URL path names, for the browser harness and the Electron
 * protocol alike: only files inside the renderer folder, never one beside or above it.
 */
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
}

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/** The file under `root` (an absolute, resolved folder) that a URL's pathname names, or null when it names none. */
export function staticFileFor(root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || !decoded.startsWith('/')) return null
  const file = normalize(join(root, decoded === '/' ? 'index.html' : decoded))
  return file.startsWith(root + sep) ? file : null
}
