/**
 * A large CSV whose numbers are quoted, as spreadsheets and pandas' to_csv(quoting=QUOTE_ALL)
 * write them, is read from its bytes like an unquoted one: the same numbers pandas reads, in the
 * memory of the file and its columns. Before, every quoted file went through the general parser
 * (a string per cell): a 1M x 12 one (132 MB) took 16 s and 1.2 GB where pandas takes 0.9 s and
 * 250 MB, and a 200 MB one was refused for needing more than the reader's 768 MB.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv, parseCsvBytes, planCsvBytes } from '../../src/main/lab/data/csv'
import { decodeCsv } from '../../src/main/lab/data/encoding'
import type { Column, NumericColumn, Table } from '../../src/main/lab/data/table'
import { DEFAULT_LIMITS, ParseSandbox, SPLIT_BYTES } from '../../src/main/lab/sandbox/sandbox'
import { parseOptionsSchema } from '../../src/shared/schemas'
import { tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text))
const dir = tempDir('torchlab-quoted-csv-')
const parse = parseOptionsSchema.parse({})

/** the cells of row i: quoted numbers of every shape, a quoted missing marker and an empty quoted cell, beside bare ones */
const CELLS = ['"1.5"', '"-2"', '"3e2"', '" 4 "', '"NA"', '""', '7', '"+0.25"', '"12345678901234567"', '"1e-30"', '.5', '"8."']
// the index padded, so that any run of 12 rows takes as many bytes as any other
const row = (i: number) => [CELLS[i % CELLS.length], CELLS[(i * 5 + 1) % CELLS.length], `"${String(i).padStart(7, '0')}"`].join(',')
const quotedText = (rows: number) => '"a","b","c"\r\n' + Array.from({ length: rows }, (_, i) => row(i)).join('\r\n') + '\r\n'

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** the tables are equal, columns compared by their numbers (a deep equal of a long column takes minutes) */
function expectSameTable(actual: Table, expected: Table): void {
  const rowsOf = (c: Column) => (c.kind === 'numeric' ? c.values : c.codes)
  const withoutValues = (t: Table) => ({ ...t, columns: t.columns.map((c) => (c.kind === 'numeric' ? { ...c, values: c.kind } : { ...c, codes: c.kind })) })
  expect(withoutValues(actual)).toEqual(withoutValues(expected))
  for (const [j, column] of actual.columns.entries()) {
    const bytes = (c: Column) => Buffer.from(rowsOf(c).buffer, rowsOf(c).byteOffset, rowsOf(c).byteLength)
    expect(bytes(column).equals(bytes(expected.columns[j])), `column ${j}`).toBe(true)
  }
}

describe('a large file of quoted numbers', () => {
  it('is read from its bytes, as its text is read and as pandas reads it', async () => {
    const text = quotedText(40_000)
    const bytes = bytesOf(text)
    expect(planCsvBytes(bytes, parse)).not.toBeNull()
    const table = await parseCsvBytes(bytes, parse)
    expectSameTable(table, parseCsv(decodeCsv(bytes, 'utf-8'), parse))
    expect(table.columns.map((c) => c.kind)).toEqual(['numeric', 'numeric', 'numeric'])
    // every cell shape appears in each column within the first 24 rows
    const pandas = await python<{ missing: number[]; head: (number | null)[][] }>(
      `
import pandas as pd
d = pd.read_csv(INPUT, float_precision="round_trip")
print(json.dumps({"missing": [int(d[c].isna().sum()) for c in d.columns], "head": [[None if v != v else float(v) for v in d[c][:24]] for c in d.columns]}))
`,
      file('quoted.csv', text),
    )
    expect(table.columns.map((c) => c.missing)).toEqual(pandas.missing)
    const head = table.columns.map((c) => Array.from((c as NumericColumn).values.subarray(0, 24), (v) => (Number.isNaN(v) ? null : v)))
    expect(head).toEqual(pandas.head)
  })

  it.each([
    ['a doubled quote', '"1""5"'],
    ['a line break inside quotes', '"1\n"'],
    ['text after the closing quote', '"1"5'],
    ['a quote inside a bare cell', '1"5'],
    ['a quoted text cell', '"abc"'],
    ['a quote left open', '"1'],
  ])('with %s is read by the general parser, as its text is', async (_, cell) => {
    const text = quotedText(30_000).replace(`\r\n${row(25_000)}\r\n`, `\r\n${cell},"1","2"\r\n`)
    const bytes = bytesOf(text)
    const read = (f: () => Table | Promise<Table>) => Promise.resolve().then(f).catch((err: Error) => err.message)
    const fromBytes = await read(() => parseCsvBytes(bytes, parse))
    const fromText = await read(() => parseCsv(decodeCsv(bytes, 'utf-8'), parse))
    if (typeof fromBytes === 'string') expect(fromBytes).toBe(fromText)
    else expectSameTable(fromBytes, fromText as Table)
  })
})

describe('a quoted CSV larger than the split size, read by two parse workers', () => {
  const sandbox = new ParseSandbox(DEFAULT_LIMITS, true)
  afterAll(() => sandbox.dispose())
  const rows = 2 * Math.ceil(SPLIT_BYTES / 24)

  async function readSplit(text: string, name: string): Promise<Table> {
    expect(text.length).toBeGreaterThan(SPLIT_BYTES)
    const path = file(name, text)
    await sandbox.helperReady()
    const splits = sandbox.splitReads
    const table = await sandbox.run({ kind: 'csv', path, encoding: 'utf-8', parse })
    expect(sandbox.splitReads).toBe(splits + 1)
    return table
  }

  it('reads the same numbers as one thread, both workers writing one set of shared columns', async () => {
    const text = quotedText(rows)
    const table = await readSplit(text, 'split.csv')
    expectSameTable(table, parseCsv(text, parse))
    expect(table.columns.every((c) => (c as NumericColumn).values.buffer instanceof SharedArrayBuffer)).toBe(true)
  }, 300_000)

  it('reads a file whose middle falls inside a quoted cell holding line breaks as its text is read', async () => {
    const lines = Array.from({ length: rows }, (_, i) => `${row(i)},"x"`)
    const note = `"${Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n')}"`
    const header = '"a","b","c","note"\r\n'
    const first = lines.slice(0, rows / 2).join('\r\n') + '\r\n'
    const text = header + first + `1,2,3,${note}\r\n` + lines.slice(rows / 2).join('\r\n') + '\r\n'
    // the middle of the body, where the two workers split it, is inside the note
    const middle = header.length + Math.floor((text.length - header.length) / 2)
    expect(middle).toBeGreaterThan(header.length + first.length + 10)
    expect(middle).toBeLessThan(header.length + first.length + note.length)
    const table = await readSplit(text, 'split-inside-quotes.csv')
    expectSameTable(table, parseCsv(text, parse))
    expect(table.columns[3].kind).toBe('categorical')
  }, 300_000)
})
