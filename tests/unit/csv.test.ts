import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/main/lab/data/csv'
import type { NumericColumn, StringColumn } from '../../src/main/lab/data/table'
import { textCells } from '../helpers/textCells'
import { parseOptionsSchema } from '../../src/shared/schemas'
import { DATASETS } from '../helpers/lab'
import { labErrorOf } from '../helpers/labErrorOf'

const auto = parseOptionsSchema.parse({})


describe('parseCsv', () => {
  it('reads the bundled cars.csv with its header and typed columns', () => {
    const table = parseCsv(readFileSync(join(DATASETS, 'cars.csv'), 'utf8'), auto)
    expect(table.header).toBe(true)
    expect(table.delimiter).toBe(',')
    expect(table.rowCount).toBe(32)
    expect(table.columns.map((c) => c.name)).toEqual(['model', 'mpg', 'cyl', 'disp', 'hp', 'drat', 'wt', 'qsec', 'vs', 'am', 'gear', 'carb'])
    const wt = table.columns[6] as NumericColumn
    expect(wt.kind).toBe('numeric')
    expect(wt.values).toBeInstanceOf(Float64Array)
    expect(wt.values[0]).toBe(2.62)
    expect(table.columns[0].kind).toBe('text')
  })

  it('types iris species as categorical', () => {
    const table = parseCsv(readFileSync(join(DATASETS, 'iris.csv'), 'utf8'), auto)
    const species = table.columns.at(-1) as StringColumn
    expect(species.kind).toBe('categorical')
    expect(new Set(textCells(species))).toEqual(new Set(['setosa', 'versicolor', 'virginica']))
  })

  it('detects semicolons, decimal commas, a BOM, CRLF and quoted fields', () => {
    const text = '\uFEFFname;price;weight\r\n"Smith; John";1,5;2\r\n"Doe ""JD""";2,25;3\r\n'
    const table = parseCsv(text, { ...auto, decimal: ',' })
    expect(table.delimiter).toBe(';')
    expect(table.columns.map((c) => c.name)).toEqual(['name', 'price', 'weight'])
    expect(Array.from((table.columns[1] as NumericColumn).values)).toEqual([1.5, 2.25])
    expect(textCells(table.columns[0] as StringColumn)).toEqual(['Smith; John', 'Doe "JD"'])
  })

  it('detects tabs and files without a header', () => {
    const table = parseCsv('1\t2\n3\t4\n5\t6\n', auto)
    expect(table.delimiter).toBe('\t')
    expect(table.header).toBe(false)
    expect(table.rowCount).toBe(3)
    expect(table.columns.map((c) => c.name)).toEqual(['column 1', 'column 2'])
  })

  it('honours an explicit header choice', () => {
    const table = parseCsv('1,2\n3,4\n', { ...auto, header: 'yes' })
    expect(table.columns.map((c) => c.name)).toEqual(['1', '2'])
    expect(table.rowCount).toBe(1)
  })

  it('counts missing values and keeps numeric columns numeric', () => {
    const table = parseCsv('a,b\n1,x\n,y\nNA,z\n4,\n', auto)
    const a = table.columns[0] as NumericColumn
    expect(a.kind).toBe('numeric')
    expect(a.missing).toBe(2)
    expect(Number.isNaN(a.values[1])).toBe(true)
    expect(table.columns[1].missing).toBe(1)
  })

  it('remembers the first non-numeric cell of a column', () => {
    const table = parseCsv('x,y\n1,2\n2,abc\n3,4\n', auto)
    const y = table.columns[1] as StringColumn
    expect(y.kind).not.toBe('numeric')
    expect(y.firstNonNumeric).toEqual({ line: 3, value: 'abc' })
  })

  it('refuses an empty file', () => {
    expect(labErrorOf(() => parseCsv('', auto)).code).toBe('CSV_EMPTY')
    expect(labErrorOf(() => parseCsv('\n\n  \n', auto)).code).toBe('CSV_EMPTY')
  })

  it('refuses a header with no rows', () => {
    const info = labErrorOf(() => parseCsv('wt,mpg\n', auto))
    expect(info.code).toBe('CSV_NO_ROWS')
    expect(info.message).toMatch(/no data rows/)
  })

  it('keeps the rows that fit and names the line of the ragged one', () => {
    const table = parseCsv('wt,mpg\n1,2\n3,4\n5\n6,7\n', auto)
    expect(table.rowCount).toBe(3)
    expect(table.ragged).toEqual({ count: 1, first: { line: 4, cells: 1 }, lines: [4], width: 2, skipped: false })
  })

  it('reports an unclosed quote', () => {
    const info = labErrorOf(() => parseCsv('a,b\n1,"2\n3,4\n', auto))
    expect(info).toMatchObject({ code: 'CSV_RAGGED_ROW', line: 2 })
    expect(info.message).toMatch(/quoted cell opens on line 2 and is never closed/)
  })
})

describe('the fast path for large numeric files', () => {
  // more than the 64 KB sample, so parseCsv takes the one-pass numeric reader
  const cells = ['1.5', '-2', '3e2', '-0.25E-1', '.5', '7.', 'NA', '', '+4', '1234567.891', '2.5e-3', '0']
  const rows = Array.from({ length: 6000 }, (_, i) => [cells[i % cells.length], cells[(i * 7) % cells.length], String(i)])

  it('reads the same numbers as the general parser would, with missing values counted', () => {
    const text = 'a,b,c\r\n' + rows.map((r) => r.join(',')).join('\r\n') + '\r\n'
    expect(text.length).toBeGreaterThan(64 * 1024)
    const table = parseCsv(text, auto)
    expect(table.rowCount).toBe(6000)
    const expected = (cell: string) => (cell === 'NA' || cell === '' ? NaN : Number(cell))
    for (const [j, column] of table.columns.entries()) {
      expect(column.kind).toBe('numeric')
      const values = (column as NumericColumn).values
      rows.forEach((r, i) => expect(values[i]).toBe(expected(r[j])))
      expect(column.missing).toBe(rows.filter((r) => r[j] === 'NA' || r[j] === '').length)
    }
  })

  it('falls back to the general parser for quotes or text, and still names the line of a ragged row', () => {
    const quoted = 'a,b\n' + rows.map((r) => `"${r[0]}",${r[2]}`).join('\n')
    expect(parseCsv(quoted, auto).rowCount).toBe(6000)
    const withText = 'a,b\n' + rows.map((r, i) => `${i === 5000 ? 'x' : r[2]},${r[2]}`).join('\n')
    expect(parseCsv(withText, auto).columns[0].kind).not.toBe('numeric')
    const ragged = 'a,b\n' + rows.map((r, i) => (i === 4321 ? r[2] : `${r[2]},${r[2]}`)).join('\n')
    expect(parseCsv(ragged, auto).ragged).toMatchObject({ count: 1, first: { line: 4323, cells: 1 } })
  })
})
