/**
 * A large file's text cells that are not plain ASCII — accented and multi-byte characters, byte
 * order marks, long cells, Windows-1252 bytes — are read by the fast reader from their bytes, one
 * decode per distinct cell, into the table the general parser makes of the decoded text. A cell
 * the encoding cannot read still goes to the general parser, which names its line.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv, parseCsvBytes, planCsvBytes } from '../../src/main/lab/data/csv'
import { decodeCsv } from '../../src/main/lab/data/encoding'
import { parseNumericBytes } from '../../src/main/lab/data/fastCsv'
import type { StringColumn } from '../../src/main/lab/data/table'
import { DEFAULT_LIMITS, ParseSandbox, SPLIT_BYTES } from '../../src/main/lab/sandbox/sandbox'
import { parseOptionsSchema, type ParseOptionsInput } from '../../src/shared/schemas'
import { tempDir } from '../helpers/lab'
import { textCells } from '../helpers/textCells'

const ROWS = 30_000
const LABELS = ['café', ' naïve ', '"a, ü"', '日本語', '🐍 python', '', 'NA', '\ufeffbom', 'Straße', 'ascii']
/** a line the fast reader cannot read (one cell where there are three) and the general parser skips: the general parser's table of the same text */
const SPACES = '   \n'

/** rows of a number, the row's index and a text; a blank line now and then */
function textFile(count: number, text: (i: number) => string, eol = '\n', bom = ''): string {
  return bom + 'x,i,label' + eol + Array.from({ length: count }, (_, i) => `${(i % 7) * 0.5},${i},${text(i)}` + (i % 997 === 5 ? eol : '')).join(eol) + eol
}

/** the fast reader's table of `bytes`, which must not need the general parser */
function fastTable(bytes: Uint8Array, options: ParseOptionsInput) {
  const plan = planCsvBytes(bytes, options)
  expect(plan?.format.textColumns).toEqual([false, false, true])
  const table = plan!.finish(parseNumericBytes(bytes, plan!.start, bytes.length, plan!.format))
  expect(table).not.toBeNull()
  return table!
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text))

describe('a large file with text cells outside ASCII', () => {
  it.each([
    ['accented, multi-byte and four-byte characters, quoted and bare, with gaps and a byte order mark inside a cell', (i: number) => LABELS[i % LABELS.length], '\n', ''],
    ['the same with CRLF and a byte order mark opening the file', (i: number) => LABELS[i % LABELS.length], '\r\n', '\ufeff'],
    ['every cell its own text, longer than any number (a text column)', (i: number) => `ü${i}·${'ß'.repeat(300 + (i % 50))}`, '\n', ''],
    ['a label spelled with and without the spaces around it, and a missing marker among them', (i: number) => ['é', ' é', 'é ', 'n/a', '  '][i % 5], '\n', ''],
  ])('%s: the same table as the general parser', (_, text, eol, bom) => {
    const file = textFile(ROWS, text, eol, bom)
    const table = fastTable(utf8(file), {})
    expect(table).toEqual(parseCsv(file + SPACES, {}))
  })

  it('reads Windows-1252 bytes as that encoding reads them, the bytes it leaves undefined too', async () => {
    // é, €, Œ, and 0x81, which Windows-1252 leaves undefined and TextDecoder reads as U+0081
    const labels = [[0x63, 0x61, 0x66, 0xe9], [0x80, 0x35], [0x8c, 0x75, 0x76, 0x72, 0x65], [0x81], [0x61, 0x62, 0x63]]
    const file = textFile(ROWS, (i) => `§${i % labels.length}§`)
    const bytes = new Uint8Array(Buffer.concat(file.split(/§(\d)§/).map((part, k) => (k % 2 ? Buffer.from(labels[Number(part)]) : Buffer.from(part, 'latin1')))))
    const options: ParseOptionsInput = { encoding: 'windows-1252' }
    const table = fastTable(bytes, options)
    expect(table).toEqual(parseCsv(decodeCsv(bytes, 'windows-1252') + SPACES, options))
    expect((table.columns[2] as StringColumn).levels).toEqual(['café', '€5', 'Œuvre', '\u0081', 'abc'])
  })

  it('keeps each distinct cell once, an empty one too, so a million labels are a few cells', () => {
    const file = textFile(ROWS, (i) => LABELS[i % LABELS.length])
    const bytes = utf8(file)
    const plan = planCsvBytes(bytes, {})!
    const cells = parseNumericBytes(bytes, plan.start, bytes.length, plan.format)!.cells![2]!
    expect(cells).toEqual(LABELS.map((label) => label.replace(/^"(.*)"$/, '$1')))
  })

  it('names a column of a Windows-1252 header as that encoding reads it', async () => {
    const file = textFile(ROWS, (i) => LABELS[i % LABELS.length].replace(/[^ -~]/g, '')).replace('x,i,', 'x\x80,i\x93,')
    const bytes = new Uint8Array(Buffer.from(file, 'latin1'))
    const options: ParseOptionsInput = { encoding: 'windows-1252' }
    const table = fastTable(bytes, options)
    expect(table.columns.map((c) => c.name)).toEqual(['x€', 'i“', 'label'])
    expect(table).toEqual(parseCsv(decodeCsv(bytes, 'windows-1252') + SPACES, options))
  })

  it.each([
    ['a byte UTF-8 cannot read', Buffer.from([0x61, 0xff, 0x62])],
    ['a U+FFFD written in the file', Buffer.from('a\ufffdb')],
  ])('goes to the general parser for a label holding %s, which names its line', async (_, odd) => {
    const late = ROWS - 100
    const parts = textFile(ROWS, (i) => (i === late ? '§' : LABELS[i % LABELS.length])).split('§')
    const bytes = new Uint8Array(Buffer.concat([Buffer.from(parts[0]), odd, Buffer.from(parts[1])]))
    const plan = planCsvBytes(bytes, {})!
    expect(plan.finish(parseNumericBytes(bytes, plan.start, bytes.length, plan.format))).toBeNull()
    const table = await parseCsvBytes(bytes, {})
    expect(table.undecodableLine).toBe(2 + late + Math.floor((late - 6) / 997) + 1)
    expect(textCells(table.columns[2] as StringColumn)[late]).toBe('a\ufffdb')
  })
})

describe('a large file with text cells outside ASCII, read by two parse workers', () => {
  const dir = tempDir('torchlab-text-split-')
  const sandbox = new ParseSandbox(DEFAULT_LIMITS, true)
  afterAll(() => sandbox.dispose())
  const parse = parseOptionsSchema.parse({})

  it('reads the same table as the general parser, whichever multi-byte character the middle falls next to', async () => {
    // long labels of two-, three- and four-byte characters: the middle of the file lands among them
    const count = Math.ceil(SPLIT_BYTES / 200)
    const file = textFile(count, (i) => 'é日🐍'.repeat(20 + (i % 7)))
    expect(Buffer.byteLength(file)).toBeGreaterThan(SPLIT_BYTES)
    const path = join(dir, 'multibyte.csv')
    writeFileSync(path, file)
    await sandbox.helperReady()
    const splits = sandbox.splitReads
    const table = await sandbox.run({ kind: 'csv', path, encoding: 'utf-8', parse })
    expect(sandbox.splitReads).toBe(splits + 1)
    expect(table).toEqual(parseCsv(file + SPACES, parse))
    expect(table.columns[2].kind).toBe('categorical')
  }, 300_000)
})
