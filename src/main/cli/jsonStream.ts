/**
 * Writes a value as JSON to a stream in pieces, as JSON.stringify would write it whole: a
 * 25M-parameter state_dict is over 400 MB of text, beyond V8's longest string, so it is never
 * built as one. Long arrays of numbers go out in slices; the stream's backpressure is honoured.
 * Numbers that are not finite are written as words (finiteOrWord), where JSON.stringify writes null.
 */
import { once } from 'node:events'

const PIECE = 1 << 20
const SLICE = 1 << 14

/**
 * JSON has no NaN nor Infinity, and JSON.stringify writes them as null, which says nothing (a
 * loss that blew up and one never measured would read alike). `lab` writes them as the strings
 * "NaN", "Infinity" and "-Infinity", as its text prints them; Python's float() and JavaScript's
 * Number() read them back. A replacer for JSON.stringify.
 */
export function finiteOrWord(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value
}

/** one value as one line of JSON, numbers that are not finite as words (finiteOrWord) */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value, finiteOrWord)}\n`
}

export async function writeJson(out: NodeJS.WritableStream, value: unknown): Promise<void> {
  let buffer = ''
  const flush = async (): Promise<void> => {
    if (!buffer) return
    const ok = out.write(buffer)
    buffer = ''
    if (!ok) await once(out, 'drain')
  }
  const emit = async (v: unknown): Promise<void> => {
    if (Array.isArray(v)) {
      buffer += '['
      if (v.every((x) => typeof x === 'number')) {
        for (let i = 0; i < v.length; i += SLICE) {
          const slice = v.slice(i, i + SLICE)
          buffer += (i ? ',' : '') + JSON.stringify(slice, slice.every(Number.isFinite) ? undefined : finiteOrWord).slice(1, -1)
          if (buffer.length >= PIECE) await flush()
        }
      } else {
        for (let i = 0; i < v.length; i++) {
          if (i) buffer += ','
          await emit(v[i] === undefined || typeof v[i] === 'function' ? null : v[i])
        }
      }
      buffer += ']'
    } else if (typeof v === 'object' && v !== null && !('toJSON' in v)) {
      buffer += '{'
      let first = true
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
        buffer += `${first ? '' : ','}${JSON.stringify(key)}:`
        first = false
        await emit(item)
      }
      buffer += '}'
    } else {
      buffer += JSON.stringify(v, finiteOrWord) ?? 'null'
    }
    if (buffer.length >= PIECE) await flush()
  }
  await emit(value)
  buffer += '\n'
  await flush()
}
