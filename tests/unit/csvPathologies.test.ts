/**
 * Each way a real CSV goes wrong, read by the real parser (and, where the student meets it, by the
 * real LabService): the outcome is a table, or a LabError naming the line as an editor shows it.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NUMBER_LIMIT } from '../../src/main/lab/data/cells'
import { MAX_CELL_CHARS } from '../../src/main/lab/limits'
import { parseCsv, uniqueNames } from '../../src/main/lab/data/csv'
import { prepareData } from '../../src/main/lab/data/dataset'
import { decodeCsv } from '../../src/main/lab/data/encoding'
import type { NumericColumn, StringColumn, Table } from '../../src/main/lab/data/table'
import { textCells } from '../helpers/textCells'
import { DEFAULT_LIMITS, ParseSandbox } from '../../src/main/lab/sandbox/sandbox'
import { datasetSpecSchema, parseOptionsSchema, type DatasetSpecInput } from '../../src/shared/schemas'
import { createService, tempDir } from '../helpers/lab'
import { labErrorOf } from '../helpers/labErrorOf'
import { PYTHON } from '../helpers/python'

const dir = tempDir('torchlab-csv-')
/** a student's file read as the lab reads it: its bytes, by the parse worker */
const sandbox = new ParseSandbox(DEFAULT_LIMITS)
afterAll(() => sandbox.dispose())
const readCsv = (path: string) => sandbox.run({ kind: 'csv', path, encoding: 'utf-8', parse: parseOptionsSchema.parse({}) })
let fileCount = 0
function file(text: string | Uint8Array): string {
  const path = join(dir, `f${++fileCount}.csv`)
  writeFileSync(path, text)
  return path
}
const spec = (features: string[], target: string, extra: Partial<DatasetSpecInput> = {}) =>
  datasetSpecSchema.parse({ source: { kind: 'bundled', name: 'cars' }, features, target, ...extra })

const numeric = (t: Table, name: string) => t.columns.find((c) => c.name === name) as NumericColumn

describe('numbers that are not numbers', () => {
  it.each([
    ['inf', /"inf" on line 3, which is not a finite number/],
    ['-Infinity', /"-Infinity" on line 3, which is not a finite number/],
    ['1e400', /"1e400" on line 3, which is not a finite number/],
    ['1e308', /"1e308" on line 3, beyond ±1.8e19/],
    ['-2.5e19', /"-2.5e19" on line 3, beyond ±1.8e19/],
  ])('%s is refused where the column is used, naming line, column and value', (cell, message) => {
    const table = parseCsv(`wt,mpg,hp\n2.6,21,110\n2.9,${cell},95\n3.2,22.8,93\n`, {})
    const mpg = numeric(table, 'mpg')
    expect(mpg.kind).toBe('numeric')
    expect(mpg.unusable).toMatchObject({ count: 1, first: { line: 3, value: cell }, asMissing: false })
    const info = labErrorOf(() => prepareData(table, spec(['wt'], 'mpg'), 'MSELoss'))
    expect(info).toMatchObject({ code: 'CSV_BAD_NUMBER', line: 3, column: 'mpg' })
    expect(info.message).toMatch(message)
    // a column that is not used does not block the others
    expect(prepareData(table, spec(['wt'], 'hp'), 'MSELoss').train.n).toBe(3)
  })

  it('keeps the largest magnitude a data set can hold, and reads an out-of-range cell as missing on request', () => {
    const edge = (NUMBER_LIMIT * 0.99).toExponential()
    const text = `x,y\n1,${edge}\n2,1e300\n3,4\n`
    expect(numeric(parseCsv(text, {}), 'y').values[0]).toBe(Number(edge))
    const table = parseCsv(text, { badCells: 'missing' })
    expect(numeric(table, 'y')).toMatchObject({ missing: 1, unusable: { count: 1, asMissing: true } })
    const data = prepareData(table, spec(['x'], 'y'), 'MSELoss')
    expect(Array.from(data.train.x)).toEqual([1, 3])
  })

  it('names a digit cell at the longest a cell may be by its line and a shortened value, without reading it as a number', () => {
    const text = `x,y\n1,2\n2,${'7'.repeat(MAX_CELL_CHARS)}\n3,4\n`
    const table = parseCsv(text, {})
    const info = labErrorOf(() => prepareData(table, spec(['x'], 'y'), 'MSELoss'))
    expect(info).toMatchObject({ code: 'CSV_BAD_NUMBER', line: 3, column: 'y' })
    expect(info.message).toContain('"777777777777777777777777…" (1,000,000 characters) on line 3')
    expect(info.message.length).toBeLessThan(400)
  })

  it('refuses a 100 MB digit cell by its line and column, past the longest a cell may be (tests/data/longCell.test.ts)', () => {
    const text = `x,y\n1,2\n2,${'7'.repeat(100_000_000)}\n3,4\n`
    expect(labErrorOf(() => parseCsv(text, {}))).toMatchObject({ code: 'TOO_LARGE', line: 3, column: 'y' })
  })

  it('takes the fast path for a large clean file and the general one when a cell is out of range', () => {
    const rows = Array.from({ length: 8000 }, (_, i) => `${i},${i * 0.5}`)
    rows[6000] = '6000,1e30'
    const table = parseCsv(`a,b\n${rows.join('\n')}\n`, {})
    expect(table.rowCount).toBe(8000)
    expect(numeric(table, 'b').unusable).toMatchObject({ count: 1, first: { line: 6002, value: '1e30' } })
  })
})

describe('line endings and line numbers', () => {
  it('reads LF, CRLF and lone CR mixed in one file as separate lines, numbered as an editor numbers them', () => {
    const table = parseCsv('x,y\r\n1,2\n2,3\r3,4\r\n\r\n4,abc\n5,6', {})
    expect(table.rowCount).toBe(5)
    expect(table.ragged).toBeNull()
    expect((table.columns[1] as StringColumn).firstNonNumeric).toEqual({ line: 6, value: 'abc' })
  })

  it('counts the lines inside a quoted cell', () => {
    const table = parseCsv('name,v\n"two\r\nlines",1\n"three\nmore\rlines",2\nz,abc\n', {})
    expect(textCells(table.columns[0] as StringColumn)).toEqual(['two\r\nlines', 'three\nmore\rlines', 'z'])
    expect((table.columns[1] as StringColumn).firstNonNumeric).toEqual({ line: 7, value: 'abc' })
  })

  it('names the line where an unclosed quote opens', () => {
    const info = labErrorOf(() => parseCsv('a,b\n1,2\n\n3,"4\n5,6\n', {}))
    expect(info).toMatchObject({ code: 'CSV_RAGGED_ROW', line: 4 })
  })

  it('refuses empty and header-only files with a sentence', () => {
    expect(labErrorOf(() => parseCsv('', {})).code).toBe('CSV_EMPTY')
    expect(labErrorOf(() => parseCsv('\uFEFF\r\n \r\n', {})).code).toBe('CSV_EMPTY')
    expect(labErrorOf(() => parseCsv('\n\nwt,mpg\r\n', {}))).toMatchObject({ code: 'CSV_NO_ROWS', line: 3 })
  })
})

describe('UTF-16 and other encodings', () => {
  const text = 'wt,mpg\n2.62,21\n2.875,21\n3.215,21.4\n'
  const utf16 = (littleEndian: boolean, bom: boolean) => {
    const bytes = Buffer.from(text, 'utf16le')
    if (!littleEndian) bytes.swap16()
    const mark = littleEndian ? [0xff, 0xfe] : [0xfe, 0xff]
    return bom ? Buffer.concat([Buffer.from(mark), bytes]) : bytes
  }

  it.each([
    ['UTF-16LE with a BOM', utf16(true, true)],
    ['UTF-16BE with a BOM', utf16(false, true)],
    ['UTF-16LE without a BOM', utf16(true, false)],
    ['UTF-16BE without a BOM', utf16(false, false)],
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
  ])('reads %s when UTF-8 is chosen', async (_, bytes) => {
    const table = await readCsv(file(bytes))
    expect(table.columns.map((c) => c.name)).toEqual(['wt', 'mpg'])
    expect(Array.from(numeric(table, 'wt').values)).toEqual([2.62, 2.875, 3.215])
  })

  it('refuses a binary file chosen as a CSV, naming the line of its first zero byte', async () => {
    const zip = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'), Buffer.from('archive/data.pkl\n\x80\x02}q\x00(X\x06', 'latin1')])
    await expect(readCsv(file(zip))).rejects.toMatchObject({
      info: { code: 'FILE_UNREADABLE', line: 1, message: expect.stringMatching(/binary file \(a \.pth, an \.xlsx workbook, a zip\)/) },
    })
    // UTF-16 read as Windows-1252 shows its zero bytes the same way
    const utf16 = Buffer.from('wt,mpg\n2.6,21\n', 'utf16le')
    expect(labErrorOf(() => parseCsv(decodeCsv(utf16, 'windows-1252'), {}))).toMatchObject({ code: 'FILE_UNREADABLE', line: 1 })
  })

  it('says which line holds bytes UTF-8 cannot read, and Windows-1252 reads them', () => {
    const bytes = Buffer.from('name,v\nabc,1\ncaf\xe9,2\n', 'latin1')
    const table = parseCsv(decodeCsv(bytes, 'utf-8'), {})
    expect(table.undecodableLine).toBe(3)
    const latin = parseCsv(decodeCsv(bytes, 'windows-1252'), {})
    expect(textCells(latin.columns[0] as StringColumn)).toEqual(['abc', 'café'])
    expect(latin.undecodableLine).toBeUndefined()
  })
})

describe('duplicate column names', () => {
  const headers = [
    ['wt', 'wt', 'mpg'],
    ['wt', 'wt', 'wt', 'mpg'],
    ['a', 'a', 'a.1'],
    ['a.1', 'a', 'a', 'a'],
    ['x', 'x.1', 'x', 'x.1', 'x'],
    ['a', 'a', 'a.1', 'a', 'a.3', 'a.1', 'a.1.1'],
  ]

  it('are named as pandas.read_csv names them', () => {
    const pandas = JSON.parse(
      execFileSync(PYTHON, ['-c', 'import io, json, sys, pandas\nprint(json.dumps([list(pandas.read_csv(io.StringIO(h + "\\n" + ",".join(["1"] * len(h.split(","))))).columns) for h in json.load(sys.stdin)]))'], {
        input: JSON.stringify(headers.map((h) => h.join(','))),
      }).toString(),
    ) as string[][]
    expect(headers.map(uniqueNames)).toEqual(pandas)
    for (const [k, h] of headers.entries()) {
      const table = parseCsv(`${h.join(',')}\n${h.map((_, j) => j).join(',')}\n`, {})
      expect(table.columns.map((c) => c.name)).toEqual(pandas[k])
    }
  })

  it('are names like any other, "__proto__" and "constructor" included', () => {
    const table = parseCsv('__proto__,constructor,y\n1,,2\n,3,4\n5,6,7\n', {})
    const data = prepareData(table, spec(['__proto__', 'constructor'], 'y', { missing: 'mean' }), 'MSELoss')
    expect(Object.entries(data.summary.missing.filled)).toEqual([
      ['__proto__', 1],
      ['constructor', 1],
    ])
    expect(Array.from(data.train.x)).toEqual([1, 4.5, 3, 3, 5, 6])
  })

  it('are renamed with a note in the preview, and each column keeps its own values', async () => {
    const service = createService()
    try {
      const path = file('wt,mpg,wt\n2.6,21,100\n2.9,22,200\n')
      const preview = await service.inspectCsv({ kind: 'file', path }, {})
      expect(preview.columns.map((c) => c.name)).toEqual(['wt', 'mpg', 'wt.1'])
      expect(preview.notes).toContain('The header names "wt" more than once: a later one is read as "wt.1", as pandas.read_csv names it.')
      expect(preview.columns[2].note).toMatch(/named "wt.1"/)
      const summary = await service.prepareDataset({ source: { kind: 'file', path }, features: ['wt.1'], target: 'mpg' })
      expect(summary.scatter.x).toEqual([100, 200])
    } finally {
      service.dispose()
    }
  })
})

describe('decimal commas', () => {
  it('detects the comma in a semicolon file, reads the numbers and says what it detected', async () => {
    const service = createService()
    try {
      const path = file('model;wt;mpg\nMazda RX4;2,62;21\nDatsun 710;2,32;22,8\nValiant;3,46;18,1\n')
      const preview = await service.inspectCsv({ kind: 'file', path }, {})
      expect(preview).toMatchObject({ delimiter: ';', decimal: ',' })
      expect(preview.notes).toContain('Decimal mark: a comma, detected from cells such as "2,62".')
      expect(preview.columns.map((c) => c.kind)).toEqual(['text', 'numeric', 'numeric'])
      expect(preview.columns[1]).toMatchObject({ min: 2.32, max: 3.46 })
      // what was detected is written into the prepared spec, so a checkpoint saved from it reads the file the same way
      const summary = await service.prepareDataset({ source: { kind: 'file', path }, features: ['wt'], target: 'mpg' })
      expect(summary.spec.parse).toMatchObject({ delimiter: ';', decimal: ',' })
      const chosenPoint = await service.inspectCsv({ kind: 'file', path }, { decimal: '.' })
      expect(chosenPoint.columns[1].kind).not.toBe('numeric')
    } finally {
      service.dispose()
    }
  })

  it('keeps the point in a comma-separated file, where a quoted "1,234" is a thousands separator', () => {
    const table = parseCsv('a,b\n"1,234",2.5\n"2,345",3.5\n', {})
    expect(table.decimal).toBe('.')
    expect(numeric(table, 'b').values[0]).toBe(2.5)
  })

  it('splits on semicolons even when each line would also split evenly on its decimal comma', () => {
    const table = parseCsv('1;2,5\n3;4,5\n5;6,5\n', {})
    expect(table).toMatchObject({ delimiter: ';', decimal: ',', header: false })
    expect(Array.from(numeric(table, 'column 2').values)).toEqual([2.5, 4.5, 6.5])
  })
})

describe('an import that forgives', () => {
  const service = createService()
  afterAll(() => service.dispose())

  it('previews a file with ragged rows, refuses it by line, and imports it once they are skipped', async () => {
    const path = file('wt,mpg,hp\n2.6,21,110\n2.9,21\n3.2,22.8,93\n\n3.4,19,110,7\n3.5,18,100\n')
    const preview = await service.inspectCsv({ kind: 'file', path }, {})
    expect(preview.rowCount).toBe(3)
    expect(preview.problems.raggedRows).toEqual({
      count: 2,
      accepted: false,
      message: 'Line 3 has 2 values but the header has 3: check it for a missing or extra ",". 2 rows do not fit: lines 3, 6.',
    })
    await expect(service.prepareDataset({ source: { kind: 'file', path }, features: ['wt'], target: 'mpg' })).rejects.toMatchObject({
      info: { code: 'CSV_RAGGED_ROW', line: 3 },
    })
    const skipped = await service.inspectCsv({ kind: 'file', path }, { badRows: 'skip' })
    expect(skipped.problems.raggedRows).toEqual({ count: 2, accepted: true, message: 'Skipped 2 rows that do not have 3 values: lines 3, 6.' })
    const summary = await service.prepareDataset({ source: { kind: 'file', path }, parse: { badRows: 'skip' }, features: ['wt'], target: 'mpg' })
    expect(summary.scatter).toMatchObject({ x: [2.6, 3.2, 3.5], y: [21, 22.8, 18] })
  })

  it('says why a column became text and offers to read its stray cells as missing', async () => {
    const path = file('wt,mpg,model\n2.6,21,a\n2.9,twenty,b\n3.2,22.8,c\n3.4,?,d\n')
    const preview = await service.inspectCsv({ kind: 'file', path }, {})
    const mpg = preview.columns[1]
    expect(mpg).toMatchObject({ kind: 'text', firstNonNumeric: { line: 3, value: 'twenty' }, note: 'text because line 3 holds "twenty".' })
    expect(preview.problems.badCells).toEqual({ count: 1, accepted: false, message: 'Column "mpg" is read as text because line 3 holds "twenty".' })
    expect(preview.columns[2].note).toBe('text because line 2 holds "a".')
    const forgiven = await service.inspectCsv({ kind: 'file', path }, { badCells: 'missing' })
    expect(forgiven.columns[1]).toMatchObject({ kind: 'numeric', missing: 2 })
    expect(forgiven.problems.badCells).toMatchObject({ count: 1, accepted: true })
    expect(forgiven.columns[2].kind).not.toBe('numeric')
  })

  it('reports a one-row file without least squares instead of throwing the run away', async () => {
    const path = file('x,y\n1,2\n')
    const { runId } = await service.startTraining({
      dataset: { source: { kind: 'file', path }, features: ['x'], target: 'y' },
      model: { kind: 'linear' },
      train: { optimizer: { name: 'SGD', lr: 0.1 }, epochs: 5, batchSize: 1 },
    })
    const run = await service.waitForRun(runId)
    expect(run.status).toBe('completed')
    // R² of one row is NaN in scikit-learn: Evaluate says so (interop/r2Rows.test.ts), and the run stays
    await expect(service.evaluate(runId, 'train')).rejects.toThrow(/^R² needs at least two rows, and the training split has 1/)
    expect((await service.waitForRun(runId)).stateDict['linear.weight']).toBeDefined()
  })
})
