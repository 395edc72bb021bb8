/**
 * Large numeric CSVs are read straight from their bytes, and a very large one by two parse
 * workers that split it at a line start. Whatever the route, the Table is the one the text
 * parser makes of the same file: names, numbers, missing counts, preview, undecodable lines.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv, parseCsvBytes, planCsvBytes } from '../../src/main/lab/data/csv'
import { decodeCsv } from '../../src/main/lab/data/encoding'
import { joinParts, parseNumericBytes, sharedSpaces, splitAt, type NumericPart } from '../../src/main/lab/data/fastCsv'
import type { NumericColumn, StringColumn, Table } from '../../src/main/lab/data/table'
import { DEFAULT_LIMITS, ParseSandbox, SPLIT_BYTES } from '../../src/main/lab/sandbox/sandbox'
import { parseOptionsSchema, type ParseOptionsInput } from '../../src/shared/schemas'
import { tempDir } from '../helpers/lab'

const CELLS = ['1.5', '-2', '3e2', '-0.25E-1', '.5', '7.', 'NA', '', '+4', '1234567.891', '2.5e-3', '0', '12345678901234567', '1e-30']
const expected = (cell: string) => (cell === 'NA' || cell === '' ? NaN : Number(cell))

function rowsOf(count: number): string[][] {
  return Array.from({ length: count }, (_, i) => [CELLS[i % CELLS.length], CELLS[(i * 7) % CELLS.length], String(i)])
}

function expectColumns(table: Table, names: string[], rows: string[][]): void {
  expect(table.columns.map((c) => c.name)).toEqual(names)
  expect(table.rowCount).toBe(rows.length)
  for (const [j, column] of table.columns.entries()) {
    expect(column.kind).toBe('numeric')
    const values = (column as NumericColumn).values
    rows.forEach((r, i) => {
      if (!Object.is(values[i], expected(r[j]))) expect([i, values[i]]).toEqual([i, expected(r[j])])
    })
    expect(column.missing).toBe(rows.filter((r) => r[j] === 'NA' || r[j] === '').length)
  }
}

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text))

/** one table equal to another, a million-value column compared as bytes (a deep equal of one takes minutes) */
function expectSameTable(actual: Table, expected: Table): void {
  const withoutValues = (t: Table) => ({ ...t, columns: t.columns.map((c) => ({ ...c, values: c.kind })) })
  expect(withoutValues(actual)).toEqual(withoutValues(expected))
  for (const [j, column] of actual.columns.entries()) {
    const bytes = (c: Table['columns'][number]) => {
      const { buffer, byteOffset, byteLength } = (c as NumericColumn).values
      return Buffer.from(buffer, byteOffset, byteLength)
    }
    expect(bytes(column).equals(bytes(expected.columns[j]))).toBe(true)
  }
}

describe('a large numeric file read from its bytes', () => {
  const rows = rowsOf(30_000)
  const body = rows.map((r) => r.join(',')).join('\r\n') + '\r\n'

  it('reads a UTF-8 file with a byte order mark, a non-ASCII name and CRLF as its text would be read', async () => {
    const bytes = bytesOf('\ufeffGröße,b,c\r\n' + body)
    expect(planCsvBytes(bytes, {})).not.toBeNull()
    const table = await parseCsvBytes(bytes, {})
    expectColumns(table, ['Größe', 'b', 'c'], rows)
    expect(table.preview).toEqual(rows.slice(0, 20))
    expect(table).toEqual(parseCsv(decodeCsv(bytes, 'utf-8'), {}))
  })

  it('counts a Windows-1252 header by its own bytes', async () => {
    const bytes = new Uint8Array(Buffer.from('Größe;b;c\n' + rows.map((r) => r.join(';').replace('.', ',')).join('\n'), 'latin1'))
    const options: ParseOptionsInput = { encoding: 'windows-1252', decimal: ',' }
    expect(planCsvBytes(bytes, options)).not.toBeNull()
    const table = await parseCsvBytes(bytes, options)
    expectColumns(table, ['Größe', 'b', 'c'], rows)
    expect(table).toEqual(parseCsv(decodeCsv(bytes, 'windows-1252'), options))
  })

  it('names the line of a header byte UTF-8 cannot read, and still reads the numbers', async () => {
    const bytes = new Uint8Array([...Buffer.from('a,b'), 0xff, ...Buffer.from(',c\n' + body)])
    const table = await parseCsvBytes(bytes, {})
    expect(table.undecodableLine).toBe(1)
    expectColumns(table, ['a', 'b\ufffd', 'c'], rows)
  })

  it('hands a non-ASCII cell or a text cell to the general parser, which names its line, and reads a quoted number from the bytes', async () => {
    const at = (i: number, cell: string) => 'x,y,z\n' + rows.map((r, k) => (k === i ? [cell, r[1], r[2]] : r).join(',')).join('\n')
    const superscript = await parseCsvBytes(bytesOf(at(25_000, '5²')), {})
    expect((superscript.columns[0] as StringColumn).firstNonNumeric).toEqual({ line: 25_002, value: '5²' })
    const quoted = await parseCsvBytes(bytesOf(at(29_000, '"7"')), {})
    expect((quoted.columns[0] as NumericColumn).values[29_000]).toBe(7)
    expect(planCsvBytes(bytesOf(at(29_000, '"7"')), {})).not.toBeNull()
    const text = await parseCsvBytes(bytesOf(at(12_345, 'abc')), {})
    expect((text.columns[0] as StringColumn).firstNonNumeric).toEqual({ line: 12_347, value: 'abc' })
  })

  it('splits at a line start, a CRLF counting as one break', () => {
    const bytes = bytesOf('1,2\r\n3,4\r5,6\n7,8')
    expect(splitAt(bytes, 1, bytes.length)).toBe(5)
    expect(splitAt(bytes, 3, bytes.length)).toBe(5)
    expect(splitAt(bytes, 4, bytes.length)).toBe(5)
    expect(splitAt(bytes, 6, bytes.length)).toBe(9)
    expect(splitAt(bytes, 13, bytes.length)).toBe(bytes.length)
  })
})

describe('a large file with text columns, read from its bytes', () => {
  const LABELS = ['setosa', ' versicolor ', '"virginica"', '"a, b"', 'NA', '', '?', '7', 'Ab1']
  /** rows of two numbers and a label; `labels` picks row i's label */
  const textFile = (count: number, labels: (i: number) => string, eol = '\n') =>
    'x,y,species' + eol + Array.from({ length: count }, (_, i) => `${CELLS[i % CELLS.length]},${i},${labels(i)}` + (i % 997 === 5 ? eol : '')).join(eol) + eol
  /** the general parser's table of the same text: a last line of spaces, which it skips and the byte reader does not read */
  const general = (text: string, options: ParseOptionsInput) => parseCsv(text + '   \n', options)

  it.each([
    ['class labels, quoted and bare, with gaps, blank lines and CRLF', (i: number) => LABELS[i % LABELS.length], '\r\n', {}, 'categorical'],
    ['more distinct texts than a category has (a text column)', (i: number) => `id${i}`, '\n', {}, 'text'],
    ['a number-like column with a few texts, read as missing', (i: number) => (i % 1000 === 3 ? 'oops' : String(i / 4)), '\n', { badCells: 'missing' }, 'numeric'],
    ['a number-like column with a few texts, kept as text', (i: number) => (i % 1000 === 3 ? 'oops' : String(i / 4)), '\n', {}, 'text'],
  ] as const)('%s: the same table as the general parser, without it', async (_, labels, eol, options, kind) => {
    const text = textFile(30_000, labels, eol)
    const bytes = bytesOf(text)
    const plan = planCsvBytes(bytes, options)
    expect(plan?.format.textColumns).toEqual([false, false, true])
    expect(plan!.finish(parseNumericBytes(bytes, plan!.start, bytes.length, plan!.format))).not.toBeNull()
    const table = await parseCsvBytes(bytes, options)
    expect(table).toEqual(general(text, options))
    expect(table.columns[2].kind).toBe(kind)
  })

  it('names the line of the first text in a column with blank lines before it', async () => {
    const text = textFile(30_000, (i) => (i < 20_000 ? String(i) : 'late'))
    const table = await parseCsvBytes(bytesOf(text), {})
    expect(table).toEqual(general(text, {}))
    expect((table.columns[2] as StringColumn).firstNonNumeric).toEqual({ line: 20_000 + 2 + 21, value: 'late' })
  })

  it('goes to the general parser for a text cell in a column that held numbers in the first lines, or a quote inside a label', async () => {
    for (const labels of [(i: number) => (i === 25_000 ? 'text' : '1'), (i: number) => (i === 25_000 ? '"say ""hi"""' : 'a')]) {
      const text = textFile(30_000, labels)
      const bytes = bytesOf(text)
      const plan = planCsvBytes(bytes, {})!
      expect(plan.finish(parseNumericBytes(bytes, plan.start, bytes.length, plan.format))).toBeNull()
      expect(await parseCsvBytes(bytes, {})).toEqual(general(text, {}))
    }
  })
})

describe('the room the numbers of a large file take', () => {
  it('is about the rows the file holds, not the rows its bytes could hold', () => {
    // one column of short numbers: room for bytes / 3 rows would be four times the rows there are
    const count = 200_000
    const bytes = bytesOf(Array.from({ length: count }, (_, i) => String(i % 1000).padStart(3, '0') + '\n').join(''))
    const part = parseNumericBytes(bytes, 0, bytes.length, { width: 1, delimiter: ',', decimal: '.', encoding: 'utf-8' })!
    expect(part.rowCount).toBe(count)
    expect(part.values[0].length).toBeGreaterThanOrEqual(count)
    expect(part.values[0].length).toBeLessThan(count * 1.25)
    expect(part.values[0][count - 1]).toBe((count - 1) % 1000)
  })

  it('grows when the later lines are shorter than the first ones', () => {
    const long = Array.from({ length: 5000 }, () => '123456.789012\n').join('')
    const short = Array.from({ length: 100_000 }, (_, i) => `${i % 10}\n`).join('')
    const bytes = bytesOf(long + short)
    const part = parseNumericBytes(bytes, 0, bytes.length, { width: 1, delimiter: ',', decimal: '.', encoding: 'utf-8' })!
    expect(part.rowCount).toBe(105_000)
    expect(part.values[0][104_999]).toBe(9)
  })
})

describe('two halves of a file read into one set of shared columns', () => {
  const format = { width: 3, delimiter: ',', decimal: '.', encoding: 'utf-8' } as const
  /** the halves of bytes (split at the line start nearest its middle) read into shared spaces and joined, beside the whole read at once */
  function readInHalves(text: string): { joined: NumericPart; whole: NumericPart; spaces: ReturnType<typeof sharedSpaces> } {
    const bytes = bytesOf(text)
    const mid = splitAt(bytes, bytes.length >> 1, bytes.length)
    const spaces = sharedSpaces(bytes, 0, mid, bytes.length, format.width)
    const first = parseNumericBytes(bytes, 0, mid, format, spaces[0])!
    const second = parseNumericBytes(bytes, mid, bytes.length, format, spaces[1])!
    return { joined: joinParts(spaces, first, second), whole: parseNumericBytes(bytes, 0, bytes.length, format)!, spaces }
  }
  function expectSameRows(joined: NumericPart, whole: NumericPart): void {
    expect(joined.rowCount).toBe(whole.rowCount)
    expect(joined.missing).toEqual(whole.missing)
    for (let j = 0; j < format.width; j++) {
      const rows = (p: NumericPart) => Buffer.from(p.values[j].buffer, p.values[j].byteOffset + p.first * 8, p.rowCount * 8)
      expect(rows(joined).equals(rows(whole)), `column ${j}`).toBe(true)
    }
  }
  const lines = (count: number, line: (i: number) => string) => Array.from({ length: count }, (_, i) => line(i) + '\n').join('')

  it('joins in place: the second half moves down to follow the first, with no copy', () => {
    const rows = rowsOf(40_000)
    const { joined, whole, spaces } = readInHalves(rows.map((r) => r.join(',') + '\n').join(''))
    // the first half's room is an estimate with a little over: there is a gap to close
    expect(spaces[1].first).toBeGreaterThan(joined.rowCount / 2)
    expectSameRows(joined, whole)
    expect(joined.values.every((v, j) => v.buffer === spaces[0].values[j].buffer && v.length === joined.rowCount)).toBe(true)
    rows.forEach((r, i) => r.forEach((cell, j) => Object.is(joined.values[j][i], expected(cell)) || expect([i, j, joined.values[j][i]]).toEqual([i, j, expected(cell)])))
  })

  it('copies when the second half holds more rows than its first lines suggested', () => {
    // the second half opens with 64 KB of long lines, then has short ones: about twice the rows its room was made for
    const text = lines(20_000, (i) => `${i},${i % 7},${i % 3}`) + lines(1000, (i) => `123456.789012,${i}.000000001,-98765.4321`) + lines(30_000, (i) => `${i % 10},1,2`)
    const { joined, whole, spaces } = readInHalves(text)
    expect(joined.rowCount).toBe(51_000)
    expect(joined.rowCount - spaces[1].first).toBeGreaterThan(spaces[1].room)
    expectSameRows(joined, whole)
    expect(joined.values[0].buffer).toBeInstanceOf(ArrayBuffer)
  })

  it('copies when the first half outgrows the room before the second half', () => {
    const text = lines(1000, (i) => `123456.789012,${i}.000000001,-98765.4321`) + lines(60_000, (i) => `${i % 10},1,2`) + lines(10_000, (i) => `${i},${i % 7},${i % 3}.25`)
    const { joined, whole, spaces } = readInHalves(text)
    expect(joined.rowCount).toBe(71_000)
    expectSameRows(joined, whole)
    expect(spaces[0].room).toBeLessThan(61_000)
    expect(joined.values[0].buffer).toBeInstanceOf(ArrayBuffer)
  })
})

describe('a CSV larger than the split size, read by two parse workers', () => {
  const dir = tempDir('torchlab-csv-split-')
  const sandbox = new ParseSandbox(DEFAULT_LIMITS, true)
  afterAll(() => sandbox.dispose())
  const parse = parseOptionsSchema.parse({})
  const read = (path: string) => sandbox.run({ kind: 'csv', path, encoding: 'utf-8', parse })
  const rows = rowsOf(Math.ceil(SPLIT_BYTES / 10))
  /** the table of `text`, read by both workers */
  async function readSplit(name: string, text: string): Promise<Table> {
    const path = join(dir, name)
    writeFileSync(path, text)
    await sandbox.helperReady()
    const splits = sandbox.splitReads
    const table = await read(path)
    expect(sandbox.splitReads).toBe(splits + 1)
    return table
  }

  it('reads the same table as one thread, the first time (one worker) and once the second is ready', async () => {
    const text = 'a,b,c\r\n' + rows.map((r) => r.join(',')).join('\r\n')
    expect(text.length).toBeGreaterThan(SPLIT_BYTES)
    const path = join(dir, 'big.csv')
    writeFileSync(path, text)
    const alone = await parseCsvBytes(bytesOf(text), parse)
    expectColumns(alone, ['a', 'b', 'c'], rows)
    expectSameTable(await read(path), alone)
    expect(sandbox.splitReads).toBe(0)
    // the second worker starts on the first large file; once loaded, it reads the second half
    await sandbox.helperReady()
    const split = await read(path)
    expectSameTable(split, alone)
    expect(sandbox.splitReads).toBe(1)
    // both workers wrote one set of columns, which reached this thread without a copy
    expect(split.columns.every((c) => (c as NumericColumn).values.buffer instanceof SharedArrayBuffer)).toBe(true)
  }, 300_000)

  it('reads a file with a text column in both workers, each half with cells the other has not, as the general parser reads it', async () => {
    // the second half spells a label with spaces, brings one of its own and a missing marker: one level each, in the order the file shows them
    const label = (i: number) => (i < rows.length / 2 ? ['cat', 'dog', '"bird"', ''] : [' cat', 'dog', 'fish', 'NA'])[i % 4]
    const text = 'a,b,label\n' + rows.map((r, i) => `${r[0]},${r[1]},${label(i)}` + (i % 5000 === 7 ? '\n' : '')).join('\n')
    expect(text.length).toBeGreaterThan(SPLIT_BYTES)
    const table = await readSplit('labels.csv', text)
    expect(table).toEqual(parseCsv(text + '   \n', parse))
    expect(table.columns[2]).toMatchObject({ kind: 'categorical', missing: rows.filter((_, i) => i % 4 === 3).length, levels: ['cat', 'dog', 'bird', 'fish'] })
  }, 300_000)

  it('reads a file split inside a long row, whose second half outgrows the rows its first lines suggested', async () => {
    const long = Array.from({ length: 3 }, (_, j) => `${j}.${'123456789'.repeat(40)}`).join(',') + '\n'
    // the second half opens with 64 KB of long lines, then holds short ones: many times the rows its room was made for
    const second = Array.from({ length: 2000 }, (_, i) => `123456.789012,${i}.000000001,-98765.4321\n`).join('') + Array.from({ length: 700_000 }, (_, i) => `${i % 10},1,2\n`).join('')
    const firstRows: string[] = []
    for (let length = 0, i = 0; length < second.length - long.length / 2; i++) {
      firstRows.push(`${i},${i % 7},${(i % 3) * 0.25}\n`)
      length += firstRows[i].length
    }
    const head = 'a,b,c\n'
    const text = head + firstRows.join('') + long + second
    expect(text.length).toBeGreaterThan(SPLIT_BYTES)
    // the middle of the body is inside the long row
    const longAt = text.length - second.length - long.length
    const middle = head.length + Math.floor((text.length - head.length) / 2)
    expect(middle).toBeGreaterThan(longAt)
    expect(middle).toBeLessThan(longAt + long.length)
    const table = await readSplit('outgrown.csv', text)
    expect(table.rowCount).toBe(firstRows.length + 1 + 2000 + 700_000)
    expectSameTable(table, await parseCsvBytes(bytesOf(text), parse))
    // the helper's rows outgrew the shared columns: they came back in arrays of its own and were copied
    expect(table.columns.every((c) => (c as NumericColumn).values.buffer instanceof ArrayBuffer)).toBe(true)
    expect((table.columns[1] as NumericColumn).values[firstRows.length]).toBe(Number(`1.${'123456789'.repeat(40)}`))
  }, 300_000)

  it('names the line of a text cell in the second half, which only the helper read', async () => {
    const text = 'a,b,c\n' + rows.map((r, i) => (i === rows.length - 10 ? ['oops', r[1], r[2]] : r).join(',')).join('\n')
    const table = await readSplit('late-text.csv', text)
    expect((table.columns[0] as StringColumn).firstNonNumeric).toEqual({ line: rows.length - 8, value: 'oops' })
  }, 300_000)
})
