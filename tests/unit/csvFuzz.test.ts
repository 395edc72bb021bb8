/**
 * 2,400 broken CSVs (tests/unit/csvMutations.ts) through the real parser, and a sample of them
 * through LabService and the `lab` CLI: each ends in a table whose every number is usable, or in a
 * LabError that names the line (checked against the file's own lines) where one applies. Nothing
 * hangs or throws anything else.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NUMBER_LIMIT } from '../../src/main/lab/data/cells'
import { parseCsv } from '../../src/main/lab/data/csv'
import { prepareData } from '../../src/main/lab/data/dataset'
import { decodeCsv } from '../../src/main/lab/data/encoding'
import { previewOf } from '../../src/main/lab/data/preview'
import type { Table } from '../../src/main/lab/data/table'
import { LabError, type LabErrorInfo } from '../../src/shared/errors'
import { datasetSpecSchema, parseOptionsSchema, type ParseOptionsInput } from '../../src/shared/schemas'
import { createService, ROOT, tempDir } from '../helpers/lab'
import { mutatedCsvs, type MutatedCsv } from './csvMutations'

const CASES = mutatedCsvs(2400, 20261128)
const LINE_BREAK = /\r\n|\n|\r/
/** the codes that speak about a place in the file carry its line */
const LINE_CODES = new Set(['CSV_RAGGED_ROW', 'CSV_BAD_NUMBER', 'CSV_NO_ROWS'])
const MAX_MESSAGE_CHARS = 600

function textOf(c: MutatedCsv): string {
  return decodeCsv(c.bytes, parseOptionsSchema.parse(c.options).encoding)
}

/** A feature and a target as a student picks them: the first and last number columns, or (every other case) simply the first and last. */
function specFor(table: Table, options: ParseOptionsInput, k: number) {
  const numbers = table.columns.filter((c) => c.kind === 'numeric')
  const names = (k % 2 === 0 && numbers.length >= 2 ? numbers : table.columns).map((c) => c.name)
  return datasetSpecSchema.parse({ source: { kind: 'bundled', name: 'cars' }, parse: options, features: [names[0]], target: names.at(-1) })
}

/** What is wrong with an error, or '' when it is what a student should see. */
function judgeError(err: unknown, text: string): string {
  if (!(err instanceof LabError)) return `threw ${String(err)}`
  const info: LabErrorInfo = err.info
  if (info.code === 'INTERNAL') return `internal: ${info.message}`
  if (info.message.length > MAX_MESSAGE_CHARS) return `a ${info.message.length}-character message`
  if (LINE_CODES.has(info.code) && info.line === undefined) return `${info.code} without a line: ${info.message}`
  if (info.line !== undefined) {
    const editorLines = text.split(LINE_BREAK)
    if (info.line < 1 || info.line > editorLines.length) return `line ${info.line} of ${editorLines.length}`
  }
  return ''
}

/** What is wrong with a table, or '' when every number in it is usable and every line it names is real. */
function judgeTable(table: Table, text: string): string {
  const editorLines = text.split(LINE_BREAK)
  const quoted = text.includes('"')
  if (new Set(table.columns.map((c) => c.name)).size !== table.columns.length) return 'duplicate column names'
  for (const column of table.columns) {
    const rows = column.kind === 'numeric' ? column.values.length : column.codes.length
    if (rows !== table.rowCount) return `column "${column.name}" has ${rows} values for ${table.rowCount} rows`
    if (column.kind === 'numeric') {
      let nans = 0
      for (const v of column.values) {
        if (Number.isNaN(v)) nans++
        else if (!(Math.abs(v) < NUMBER_LIMIT)) return `column "${column.name}" holds ${v}`
      }
      const refused = column.unusable && !column.unusable.asMissing ? column.unusable.count : 0
      if (nans !== column.missing + refused) return `column "${column.name}": ${nans} NaN for ${column.missing} missing and ${refused} refused`
      const first = column.unusable?.first
      if (first && !quoted && !editorLines[first.line - 1]?.includes(first.value)) return `line ${first.line} does not hold ${JSON.stringify(first.value.slice(0, 20))}`
    } else if (column.firstNonNumeric && !quoted && !editorLines[column.firstNonNumeric.line - 1]?.includes(column.firstNonNumeric.value.trim())) {
      return `line ${column.firstNonNumeric.line} does not hold ${JSON.stringify(column.firstNonNumeric.value.slice(0, 20))}`
    }
  }
  const ragged = table.ragged
  if (ragged && !quoted) {
    const cells = editorLines[ragged.first.line - 1]?.split(table.delimiter).length
    if (cells !== ragged.first.cells) return `line ${ragged.first.line} has ${cells} cells, not ${ragged.first.cells}`
  }
  const preview = JSON.stringify(previewOf(table))
  if (preview.length > 1_000_000) return `a ${preview.length}-character preview`
  return ''
}

describe('2,400 broken CSVs through the parser', () => {
  it('each becomes a usable table or a LabError naming its line', () => {
    const failures: string[] = []
    const outcomes = new Map<string, number>()
    for (const [k, c] of CASES.entries()) {
      const text = textOf(c)
      let table: Table
      try {
        table = parseCsv(text, c.options)
      } catch (err) {
        const problem = judgeError(err, text)
        if (problem) failures.push(`${c.name}: parse ${problem}`)
        const code = err instanceof LabError ? err.info.code : 'thrown'
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1)
        continue
      }
      const problem = judgeTable(table, text)
      if (problem) failures.push(`${c.name}: ${problem}`)
      if (table.columns.length < 2) continue
      try {
        const data = prepareData(table, specFor(table, c.options, k), 'MSELoss')
        if (![...data.train.x, ...data.train.y].every(Number.isFinite)) failures.push(`${c.name}: prepared data that is not finite`)
        outcomes.set('prepared', (outcomes.get('prepared') ?? 0) + 1)
      } catch (err) {
        const problem = judgeError(err, text)
        if (problem) failures.push(`${c.name}: prepare ${problem}`)
        const code = err instanceof LabError ? err.info.code : 'thrown'
        outcomes.set(`prepare ${code}`, (outcomes.get(`prepare ${code}`) ?? 0) + 1)
      }
    }
    expect(failures).toEqual([])
    // the mutations reach every outcome: refusals of each kind, and data sets that still train
    for (const outcome of ['prepared', 'CSV_EMPTY', 'CSV_NO_ROWS', 'CSV_RAGGED_ROW', 'prepare CSV_RAGGED_ROW', 'prepare CSV_BAD_NUMBER', 'prepare COLUMN_NOT_NUMERIC']) {
      expect(outcomes.get(outcome) ?? 0, outcome).toBeGreaterThan(0)
    }
  })
})

const dir = tempDir('torchlab-csv-fuzz-')
const fileOf = (c: MutatedCsv, k: number) => {
  const path = join(dir, `case${k}.csv`)
  writeFileSync(path, c.bytes)
  return path
}

describe('a sample of them through LabService', () => {
  const service = createService()
  afterAll(() => service.dispose())

  it('inspectCsv and prepareDataset answer each with a preview, a summary or a LabError', async () => {
    const failures: string[] = []
    for (let k = 0; k < CASES.length; k += 30) {
      const c = CASES[k]
      const text = textOf(c)
      const source = { kind: 'file' as const, path: fileOf(c, k) }
      try {
        const preview = await service.inspectCsv(source, c.options)
        const names = preview.columns.map((col) => col.name)
        if (names.length < 2) continue
        await service.prepareDataset({ source, parse: c.options, features: [names[0]], target: names.at(-1)! }, 'MSELoss')
      } catch (err) {
        const problem = judgeError(err, text)
        if (problem) failures.push(`${c.name}: ${problem}`)
      }
    }
    expect(failures).toEqual([])
  })
})

function flagsOf(options: ParseOptionsInput): string[] {
  const o = parseOptionsSchema.parse(options)
  return [
    ...(o.delimiter ? ['--delimiter', o.delimiter === '\t' ? 'tab' : o.delimiter] : []),
    ...(o.decimal ? ['--decimal', o.decimal] : []),
    '--header',
    o.header,
    '--bad-rows',
    o.badRows,
    '--bad-cells',
    o.badCells,
  ]
}

function lab(args: string[]): Promise<{ code: number; json: { status?: string; error?: LabErrorInfo } }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir('torchlab-cli-settings-') }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, json: JSON.parse(stdout || '{}') }),
    )
  })
}

describe('a sample of them through the lab CLI', () => {
  it('lab train --json reports a run or an error with its line, never a crash', async () => {
    const picks = [3, 401, 805, 1203, 1609, 2011]
    const results = await Promise.all(
      picks.map(async (k) => {
        const c = CASES[k]
        const path = fileOf(c, k)
        let names: string[] = []
        try {
          names = parseCsv(textOf(c), c.options).columns.map((col) => col.name)
        } catch {
          names = ['a', 'b']
        }
        return { c, text: textOf(c), result: await lab(['train', '--data', path, '--x', names[0], '--y', names.at(-1)!, '--epochs', '2', '--json', ...flagsOf(c.options)]) }
      }),
    )
    for (const { c, text, result } of results) {
      expect([0, 2, 3], c.name).toContain(result.code)
      if (result.code === 2) {
        expect(result.json.error, c.name).toBeDefined()
        expect(judgeError(new LabError(result.json.error!), text), c.name).toBe('')
      } else expect(result.json.status, c.name).toBeDefined()
    }
  })
})
