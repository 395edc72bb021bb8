/**
 * A CSV with very many columns and few rows: the numeric fast path gave every column room for
 * 1,024 rows whatever the file held, 8 KB a column, so a 14 MB file of a million columns asked
 * for 8 GB of arrays, outside the parse worker's heap limit. Room is now bounded by the rows the
 * bytes can hold. Its columns cross from the parse worker in one buffer: transferring 100,000
 * buffers took 2.6 s (the time grows as their number squared), a million minutes.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseNumericBytes, sharedSpaces, splitAt } from '../../src/main/lab/data/fastCsv'
import type { NumericColumn } from '../../src/main/lab/data/table'
import { DEFAULT_LIMITS, ParseSandbox } from '../../src/main/lab/sandbox/sandbox'
import { MAX_COLUMNS } from '../../src/main/lab/limits'
import { LabError } from '../../src/shared/errors'
import { parseOptionsSchema } from '../../src/shared/schemas'
import { tempDir } from '../helpers/lab'

const WIDTH = 20_000
const ROWS = 3
const format = { width: WIDTH, delimiter: ',', decimal: '.', encoding: 'utf-8' } as const
/** row r, column j holds j + r / 10 */
const text = Array.from({ length: ROWS }, (_, r) => Array.from({ length: WIDTH }, (_, j) => `${j}.${r}`).join(',') + '\n').join('')
const bytes = new TextEncoder().encode(text)
/** a row of WIDTH cells is at least WIDTH bytes (its delimiters and its newline) */
const mostRows = Math.floor(bytes.length / WIDTH) + 1

describe('a CSV of 20,000 columns and 3 rows', () => {
  it('takes room for no more rows than its bytes can hold, and reads every value', () => {
    const part = parseNumericBytes(bytes, 0, bytes.length, format)!
    expect(part.rowCount).toBe(ROWS)
    expect(part.values[0].length).toBeLessThanOrEqual(mostRows)
    expect(part.values.reduce((n, v) => n + v.byteLength, 0)).toBeLessThanOrEqual(WIDTH * mostRows * 8)
    for (const j of [0, 1, 9_999, WIDTH - 1]) expect(Array.from(part.values[j].subarray(part.first, part.first + ROWS))).toEqual([j, j + 0.1, j + 0.2])
  })

  it('read in two halves, each half takes room for no more rows than its own bytes can hold', () => {
    const mid = splitAt(bytes, bytes.length >> 1, bytes.length)
    const [first, second] = sharedSpaces(bytes, 0, mid, bytes.length, WIDTH)
    expect(first.room).toBeLessThanOrEqual(Math.floor(mid / WIDTH) + 1)
    expect(second.room).toBeLessThanOrEqual(Math.floor((bytes.length - mid) / WIDTH) + 1)
    const a = parseNumericBytes(bytes, 0, mid, format, first)!
    const b = parseNumericBytes(bytes, mid, bytes.length, format, second)!
    expect(a.rowCount + b.rowCount).toBe(ROWS)
  })
})

describe('a CSV of 20,000 columns read by the sandboxed reader', () => {
  const sandbox = new ParseSandbox(DEFAULT_LIMITS)
  afterAll(() => sandbox.dispose())

  it('gives every column its values, all in one buffer that crossed from the worker', async () => {
    const path = join(tempDir('torchlab-wide-csv-'), 'wide.csv')
    writeFileSync(path, Array.from({ length: WIDTH }, (_, j) => `c${j}`).join(',') + '\n' + text)
    const table = await sandbox.run({ kind: 'csv', path, encoding: 'utf-8', parse: parseOptionsSchema.parse({}) })
    expect(table.columns.length).toBe(WIDTH)
    const columns = table.columns as NumericColumn[]
    for (const j of [0, 1, 9_999, WIDTH - 1]) expect(Array.from(columns[j].values)).toEqual([j, j + 0.1, j + 0.2])
    expect(new Set(columns.map((c) => c.values.buffer)).size).toBe(1)
  }, 120_000)

  it.each([
    // a 2 MB file of empty cells took 10 s and 1 GB to read; pandas did not finish in ten minutes
    ['empty cells, read by the general parser', (n: number) => `a${','.repeat(n - 1)}\n1${','.repeat(n - 1)}\n`, 'auto'],
    ['numbers under a header, read from the bytes', (n: number) => `${Array.from({ length: n }, (_, j) => `c${j}`).join(',')}\n${'1,'.repeat(n - 1)}1\n${'2,'.repeat(n - 1)}2\n`, 'yes'],
    ['numbers without a header', (n: number) => `${'1,'.repeat(n - 1)}1\n${'2,'.repeat(n - 1)}2\n${'3,'.repeat(n - 1)}3\n`, 'no'],
  ] as const)('of %s, more than 100,000 columns, is refused in a sentence naming its line', async (_, text, header) => {
    const path = join(tempDir('torchlab-wide-csv-'), 'too-wide.csv')
    writeFileSync(path, text(MAX_COLUMNS + 50_000))
    const refused = await sandbox.run({ kind: 'csv', path, encoding: 'utf-8', parse: parseOptionsSchema.parse({ header }) }).catch((err: unknown) => err)
    expect(refused).toBeInstanceOf(LabError)
    expect((refused as LabError).info).toEqual({
      code: 'TOO_LARGE',
      line: 1,
      message: 'Line 1 has 150,000 columns; TorchLab reads CSV files of up to 100,000 columns. If the file is not split by ",", choose its delimiter; if it is a table turned sideways (one row per column), transpose it.',
    })
  }, 120_000)
})
