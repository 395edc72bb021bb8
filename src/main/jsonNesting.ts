/**
 * What a JSON text would cost to parse, counted on its bytes before JSON.parse sees it. V8 parses
 * a deep text iteratively but slowly (30 million nested brackets took over a minute and 2 GB),
 * and a flat one of many small objects or lists slowly too (64 MB of `{},` blocked the bridge's
 * thread 22 s, where 64 MB of numbers take 2 s; 100,000 keys, 0.3 s to parse and validate), so the
 * bridge refuses a text that opens more arrays or objects, or names more keys, or nests deeper,
 * than any request needs. Stops at the first bracket or key
 * past a limit, so a hostile text costs a few bytes' scan, and an ordinary one a single pass.
 */
const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPENERS = new Set([0x5b, 0x7b])
const CLOSERS = new Set([0x5d, 0x7d])
/** outside a string, a colon follows each key */
const COLON = 0x3a

export interface JsonLimits {
  /** arrays or objects inside one another */
  depth: number
  /** arrays and objects in the whole text */
  containers: number
  /** keys of all its objects */
  keys: number
}

/** which limit `bytes` (UTF-8 JSON, valid or not) goes past first, or null when it keeps to all three */
export function exceededLimit(bytes: Uint8Array, limits: JsonLimits): keyof JsonLimits | null {
  let depth = 0
  let containers = 0
  let keys = 0
  let inString = false
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (inString) {
      if (b === BACKSLASH) i++
      else if (b === QUOTE) inString = false
    } else if (b === QUOTE) inString = true
    else if (OPENERS.has(b)) {
      if (++depth > limits.depth) return 'depth'
      if (++containers > limits.containers) return 'containers'
    } else if (CLOSERS.has(b)) depth--
    else if (b === COLON && ++keys > limits.keys) return 'keys'
  }
  return null
}
