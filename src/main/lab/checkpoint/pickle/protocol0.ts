/**
 * Protocol 0's text opcodes as CPython's C unpickler (torch.load's) reads them, with the
 * encoding='utf-8' torch.load passes it. Each function answers the value Python gives, or
 * undefined where Python raises or reads by rules TorchLab does not copy: the caller refuses
 * such a file in words rather than read another value than torch would.
 */

/**
 * A float as Python's pickle reads protocol 0's FLOAT (C's PyOS_string_to_double): nan and inf or
 * infinity in any case, signed; no spaces, no underscores, and an overflow (1e999) refused.
 * undefined where Python raises: JavaScript's Number would read "" as 0 and "0x10" as 16.
 */
export function pythonFloat(s: string): number | undefined {
  const special = /^([+-]?)(nan|inf|infinity)$/i.exec(s)
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity
  const v = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : NaN
  return Number.isFinite(v) ? v : undefined
}

/**
 * INT's and LONG's line as a plain decimal, the only spelling pickle writes. Python reads other
 * spellings by C's strtol with base 0 (INT "010" is 8, "-0" is False) or by int(s, 0) (LONG "010"
 * is an error): undefined for those. INT's "00" and "01" are protocol 0's False and True.
 */
export function protocol0Int(line: string, opcode: 'INT' | 'LONG'): number | bigint | boolean | undefined {
  if (opcode === 'INT' && (line === '00' || line === '01')) return line === '01'
  const digits = opcode === 'LONG' ? line.replace(/L$/, '') : line
  if (!/^(0|-?[1-9]\d{0,1999})$/.test(digits)) return undefined
  const big = BigInt(digits)
  return Number.isSafeInteger(Number(big)) ? Number(big) : big
}

const BACKSLASH = 0x5c
const SIMPLE_ESCAPES = new Map<number, number>(
  [
    ['\\', 0x5c],
    ["'", 0x27],
    ['"', 0x22],
    ['a', 0x07],
    ['b', 0x08],
    ['f', 0x0c],
    ['n', 0x0a],
    ['r', 0x0d],
    ['t', 0x09],
    ['v', 0x0b],
  ].map(([c, byte]) => [(c as string).charCodeAt(0), byte as number]),
)
const isOctal = (c: number) => c >= 0x30 && c <= 0x37
const hexValue = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1)

/**
 * STRING's line: quoted ('…' or "…"), its escapes decoded as Python's bytes literals decode them
 * (\n, \x41, \101, an unknown escape kept with its backslash), then read as UTF-8. undefined
 * where Python raises: no quotes, a broken \x escape, a trailing backslash, bytes not UTF-8.
 */
export function stringOpcode(line: Uint8Array, utf8: { decode(bytes: Uint8Array): string }): string | undefined {
  const n = line.length
  if (n < 2 || line[0] !== line[n - 1] || (line[0] !== 0x27 && line[0] !== 0x22)) return undefined
  const out = new Uint8Array(n)
  let length = 0
  for (let i = 1; i < n - 1; ) {
    const c = line[i++]
    if (c !== BACKSLASH) {
      out[length++] = c
      continue
    }
    if (i === n - 1) return undefined
    const e = line[i++]
    const simple = SIMPLE_ESCAPES.get(e)
    if (simple !== undefined) out[length++] = simple
    else if (isOctal(e)) {
      let value = e - 0x30
      for (let k = 0; k < 2 && i < n - 1 && isOctal(line[i]); k++) value = value * 8 + line[i++] - 0x30
      out[length++] = value & 0xff
    } else if (e === 0x78) {
      const high = i < n - 1 ? hexValue(line[i]) : -1
      const low = i + 1 < n - 1 ? hexValue(line[i + 1]) : -1
      if (high < 0 || low < 0) return undefined
      out[length++] = high * 16 + low
      i += 2
    } else {
      out[length++] = BACKSLASH
      i--
    }
  }
  try {
    return utf8.decode(out.subarray(0, length))
  } catch {
    return undefined
  }
}

/**
 * UNICODE's line as Python's raw-unicode-escape codec reads it: every byte is the character of
 * that number (Latin-1, not Windows-1252: 0x80 is U+0080, not €), except \uXXXX and \UXXXXXXXX.
 * undefined where Python raises: a \u or \U escape cut short, or past U+10FFFF.
 */
export function unicodeOpcode(line: Uint8Array): string | undefined {
  const latin1 = (from: number, to: number) => Buffer.from(line.buffer, line.byteOffset + from, to - from).toString('latin1')
  let text = ''
  let start = 0
  for (let i = line.indexOf(BACKSLASH); i >= 0 && i < line.length - 1; i = line.indexOf(BACKSLASH, i)) {
    const digits = line[i + 1] === 0x75 ? 4 : line[i + 1] === 0x55 ? 8 : 0
    // a backslash and the byte after it that is no u or U stay as they are (so \\u0041 is no escape)
    if (digits === 0) {
      i += 2
      continue
    }
    let code = 0
    for (let k = i + 2; k < i + 2 + digits; k++) {
      const h = k < line.length ? hexValue(line[k]) : -1
      if (h < 0) return undefined
      code = code * 16 + h
    }
    if (code > 0x10ffff) return undefined
    text += latin1(start, i) + String.fromCodePoint(code)
    i += 2 + digits
    start = i
  }
  return text + latin1(start, line.length)
}
