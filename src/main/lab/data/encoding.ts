/**
 * Which encoding a CSV's bytes are in. A byte order mark is certain and wins over the chosen
 * encoding (as browsers decide); without one, UTF-16 shows itself by a zero in every other byte
 * of text that is mostly ASCII, which no UTF-8 or Windows-1252 CSV has.
 */
import { constants } from 'node:buffer'
import { labError } from '../../../shared/errors'
import type { ParseOptions } from '../../../shared/schemas'

type Encoding = ParseOptions['encoding']

const SNIFF_BYTES = 4096

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
}

function byBom(bytes: Uint8Array): Encoding | undefined {
  if (hasUtf8Bom(bytes)) return 'utf-8'
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be'
  return undefined
}

function byZeroBytes(bytes: Uint8Array): Encoding | undefined {
  const pairs = Math.floor(Math.min(bytes.length, SNIFF_BYTES) / 2)
  if (pairs < 2) return undefined
  let evenZeros = 0
  let oddZeros = 0
  for (let k = 0; k < pairs; k++) {
    if (bytes[2 * k] === 0) evenZeros++
    if (bytes[2 * k + 1] === 0) oddZeros++
  }
  const most = 0.7 * pairs
  const few = 0.05 * pairs
  if (oddZeros >= most && evenZeros <= few) return 'utf-16le'
  if (evenZeros >= most && oddZeros <= few) return 'utf-16be'
  return undefined
}

export function sniffEncoding(bytes: Uint8Array, chosen: Encoding): Encoding {
  return byBom(bytes) ?? (chosen === 'utf-8' ? byZeroBytes(bytes) : undefined) ?? chosen
}

/** V8's longest string, in characters: the general parser's text cannot be longer */
const LONGEST_TEXT = constants.MAX_STRING_LENGTH

/**
 * Bytes -> text; bytes the encoding cannot read become U+FFFD, which the parser reports by line.
 * A text longer than a string can be (512 MB of ASCII) is refused in words before it is decoded:
 * UTF-8 throws past that length, and Windows-1252 ends the whole process (a fatal V8 error in
 * Node's decoder), so only the fast reader reads such a file, from its bytes.
 */
export function decodeCsv(bytes: Uint8Array, chosen: Encoding): string {
  const encoding = sniffEncoding(bytes, chosen)
  // at most one character per byte, one per two bytes in UTF-16
  const longest = encoding === 'utf-16le' || encoding === 'utf-16be' ? bytes.length / 2 : bytes.length
  if (longest > LONGEST_TEXT) {
    throw labError(
      'FILE_UNREADABLE',
      `This CSV is ${Math.round(bytes.length / 2 ** 20).toLocaleString('en-US')} MB, and files over ${Math.floor(LONGEST_TEXT / 2 ** 20)} MB TorchLab reads only when they hold ` +
        'cells it can read from their bytes: numbers, and text in columns whose first lines show text, with no line break or doubled quote inside a cell, ' +
        'no bytes the encoding cannot read and no UTF-16. Split the file into smaller ones, or keep only the columns you need.',
    )
  }
  return decodeText(bytes, encoding)
}

/** bytes -> text in `encoding`, a UTF-8 byte order mark at the start dropped */
export function decodeText(bytes: Uint8Array, encoding: Encoding): string {
  return encoding === 'windows-1252' ? decodeWindows1252(bytes) : new TextDecoder(encoding).decode(bytes)
}

/** what Windows-1252 (WHATWG's table) makes of bytes 0x80-0x9F; the five it leaves undefined read as the C1 control of their number */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'

/**
 * Windows-1252 bytes -> text. Node 20's TextDecoder reads this encoding as Latin-1, so a € (0x80)
 * or a curly quote (0x93) from Excel would come out as an invisible control character.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  return new TextDecoder('windows-1252').decode(bytes).replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80])
}
