/**
 * How deeply a JSON text nests, counted on its bytes before JSON.parse sees it. V8 parses a
 * deep text iteratively but slowly (30 million nested brackets took over a minute and 2 GB),
 * so the bridge refuses one beyond a depth no request needs. Stops at the first bracket past
 * `limit`, so a hostile text costs a few bytes' scan, and a flat one a single pass.
 */
const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPENERS = new Set([0x5b, 0x7b])
const CLOSERS = new Set([0x5d, 0x7d])

/** whether `bytes` (UTF-8 JSON, valid or not) opens more than `limit` arrays or objects inside one another */
export function nestsBeyond(bytes: Uint8Array, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (inString) {
      if (b === BACKSLASH) i++
      else if (b === QUOTE) inString = false
    } else if (b === QUOTE) inString = true
    else if (OPENERS.has(b)) {
      if (++depth > limit) return true
    } else if (CLOSERS.has(b)) depth--
  }
  return false
}
