/**
 * Byte-level mutation fuzzing of the course's CSVs (/work/shared/datasets) through the sandbox's
 * worker, the path the window's import takes. Damage falls where a CSV's structure is (line and
 * cell boundaries): bits flipped, a cut, lines dropped, doubled or swapped, a quote, delimiter,
 * NUL, line break, byte order mark or broken UTF-8 put between cells, two files spliced. Each case
 * ends in a table or a LabError sentence, within a time and memory bound. Where TorchLab reads a
 * clean table of numbers (a header, commas, every cell a number or missing), pandas.read_csv must
 * read the same names, rows and numbers (tests/helpers/pandas_read_all.py).
 */
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createRng } from '../../src/main/lab/data/rng'
import type { NumericColumn, Table } from '../../src/main/lab/data/table'
import { DEFAULT_LIMITS, ParseSandbox } from '../../src/main/lab/sandbox/sandbox'
import { isLabErrorInfo, type LabErrorInfo } from '../../src/shared/errors'
import { parseOptionsSchema } from '../../src/shared/schemas'
import { ROOT, tempDir } from '../helpers/lab'
import { PYTHON } from '../helpers/python'

const CASES = Number(process.env.FUZZ_CASES ?? 600)
const SEED = Number(process.env.FUZZ_SEED ?? 20261129)
const MAX_MS = 5_000
const sandbox = new ParseSandbox(DEFAULT_LIMITS)
afterAll(() => sandbox.dispose())
const dir = tempDir('torchlab-csv-mutants-')
const DATASETS = resolve(ROOT, '../shared/datasets')
const sources = readdirSync(DATASETS)
  .filter((f) => f.endsWith('.csv'))
  .map((f) => ({ name: f, bytes: readFileSync(join(DATASETS, f)) }))

const INSERTS = ['"', ',', '\0', '\r', '\n', '\r\n', '\uFEFF', ';', ' ', 'NA', '1e400', '-', '.'].map((s) => Buffer.from(s)).concat([Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82])])

function mutants(count: number, seed: number): { what: string; bytes: Buffer }[] {
  const rng = createRng(seed)
  const int = (n: number) => Math.floor(rng() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]
  const out: { what: string; bytes: Buffer }[] = []
  const kinds = ['flip', 'cut', 'drop line', 'double line', 'swap lines', 'insert', 'splice'] as const
  for (let i = 0; i < count; i++) {
    const source = sources[i % sources.length]
    const b = Buffer.from(source.bytes)
    const lineStarts = [0, ...[...b.entries()].filter(([, c]) => c === 10).map(([k]) => k + 1)].filter((k) => k < b.length)
    const cells = [...b.entries()].filter(([, c]) => c === 44 || c === 10).map(([k]) => k)
    const line = (k: number) => b.subarray(lineStarts[k], lineStarts[k + 1] ?? b.length)
    const kind = pick(kinds)
    let bytes: Buffer
    let where: string
    switch (kind) {
      case 'flip': {
        const at = int(b.length)
        b[at] ^= 1 << int(8)
        ;[bytes, where] = [b, `byte ${at}`]
        break
      }
      case 'cut': {
        const at = pick([pick(lineStarts), pick(cells), pick(cells) + 1, int(b.length)])
        ;[bytes, where] = [b.subarray(0, at), `at ${at}`]
        break
      }
      case 'drop line':
      case 'double line':
      case 'swap lines': {
        const k = int(lineStarts.length)
        const j = int(lineStarts.length)
        const lines = lineStarts.map((_, n) => line(n))
        if (kind === 'drop line') lines.splice(k, 1)
        else if (kind === 'double line') lines.splice(k, 0, lines[k])
        else [lines[k], lines[j]] = [lines[j], lines[k]]
        ;[bytes, where] = [Buffer.concat(lines), `line ${k + 1}${kind === 'swap lines' ? ` and ${j + 1}` : ''}`]
        break
      }
      case 'insert': {
        const at = pick([pick(cells), pick(cells) + 1, pick(lineStarts)])
        const insert = pick(INSERTS)
        ;[bytes, where] = [Buffer.concat([b.subarray(0, at), insert, b.subarray(at)]), `${JSON.stringify(insert.toString('latin1'))} at ${at}`]
        break
      }
      case 'splice': {
        const other = pick(sources)
        const otherStarts = [0, ...[...other.bytes.entries()].filter(([, c]) => c === 10).map(([k]) => k + 1)]
        const a = pick(lineStarts)
        const o = pick(otherStarts)
        ;[bytes, where] = [Buffer.concat([b.subarray(0, a), other.bytes.subarray(o)]), `${source.name} to ${a} + ${other.name} from ${o}`]
        break
      }
    }
    out.push({ what: `${source.name} ${kind}: ${where}`, bytes })
  }
  return out
}

type PandasOutcome = { names: string[]; rows: number; numbers: Record<string, (number | null)[]> } | { error: string }

function pandasReads(paths: string[]): Promise<PandasOutcome[]> {
  return new Promise((done, fail) => {
    const child = execFile(PYTHON, [join(ROOT, 'tests/helpers/pandas_read_all.py')], { maxBuffer: 1024 ** 3 }, (err, stdout) => (err ? fail(err) : done(stdout.trim().split('\n').map((l) => JSON.parse(l) as PandasOutcome))))
    child.stdin!.end(JSON.stringify(paths))
  })
}

/** a table pandas.read_csv's defaults read the same way: a header, commas, points, every cell a number or missing, no row of another width */
const plainNumbers = (t: Table) =>
  t.header && t.delimiter === ',' && t.decimal === '.' && t.encoding === 'utf-8' && !t.ragged && t.renamed.length === 0 && t.columns.every((c) => c.kind === 'numeric' && !c.unusable)

function compare(t: Table, pandas: PandasOutcome): string {
  if ('error' in pandas) return `pandas refused it: ${pandas.error}`
  if (JSON.stringify(pandas.names) !== JSON.stringify(t.columns.map((c) => c.name))) return `names ${JSON.stringify(t.columns.map((c) => c.name))}, pandas ${JSON.stringify(pandas.names)}`
  if (pandas.rows !== t.rowCount) return `${t.rowCount} rows, pandas ${pandas.rows}`
  for (const [k, c] of t.columns.entries()) {
    const theirs = pandas.numbers[k]
    if (!theirs) return `column ${c.name} is numbers, pandas reads text`
    const ours = Array.from((c as NumericColumn).values, (v) => (Number.isNaN(v) ? null : v))
    const at = ours.findIndex((v, r) => v !== theirs[r])
    if (at >= 0) return `column ${c.name} row ${at + 1}: ${ours[at]}, pandas ${theirs[at]}`
  }
  return ''
}

describe('a number cell with Unicode space around it', () => {
  it('is text, as pandas reads it: only spaces and tabs are trimmed', async () => {
    const parse = parseOptionsSchema.parse({})
    const paths = ['\uFEFF', '\u00A0', ' \t'].map((around, k) => {
      const path = join(dir, `around-${k}.csv`)
      writeFileSync(path, `a,b\n1,2\n${around}3${around},4\n`)
      return path
    })
    const pandas = await pandasReads(paths)
    for (const [k, path] of paths.entries()) {
      const table = await sandbox.run({ kind: 'csv', path, encoding: parse.encoding, parse })
      const theirs = pandas[k] as { numbers: Record<string, unknown> }
      expect(table.columns[0].kind === 'numeric', path).toBe('0' in theirs.numbers)
    }
    expect(Object.keys((pandas[2] as { numbers: object }).numbers)).toEqual(['0', '1'])
  })
})

describe('mutated course CSVs through the sandbox', () => {
  it(`${CASES} damaged files (seed ${SEED}) each end in a table (pandas' where it is plain numbers) or a sentence`, async () => {
    const cases = mutants(CASES, SEED)
    const parse = parseOptionsSchema.parse({})
    const outcomes: (Table | LabErrorInfo)[] = []
    const problems: string[] = []
    // the worker's start is not the file's time
    await sandbox.run({ kind: 'csv', path: join(DATASETS, sources[0].name), encoding: parse.encoding, parse })
    const before = process.memoryUsage().rss
    let peak = before
    let slowest = 0
    for (const [i, c] of cases.entries()) {
      const path = join(dir, `${i}.csv`)
      writeFileSync(path, c.bytes)
      const started = performance.now()
      const outcome = await sandbox.run({ kind: 'csv', path, encoding: parse.encoding, parse }).catch((err: unknown) => (isLabErrorInfo((err as { info?: unknown }).info) ? (err as { info: LabErrorInfo }).info : { code: 'INTERNAL' as const, message: `threw ${String(err)}` }))
      const ms = performance.now() - started
      slowest = Math.max(slowest, ms)
      peak = Math.max(peak, process.memoryUsage().rss)
      outcomes.push(outcome)
      if (ms > MAX_MS) problems.push(`${i} ${c.what}: took ${ms.toFixed(0)} ms`)
      if ('code' in outcome && (outcome.code === 'INTERNAL' || !/^[A-Z"'].*[.?)]$/s.test(outcome.message) || /\n\s+at |\.ts\b/.test(outcome.message))) problems.push(`${i} ${c.what}: ${outcome.code} ${outcome.message}`)
    }
    const compared = outcomes.flatMap((o, i) => ('columns' in o && plainNumbers(o) ? [i] : []))
    const pandas = await pandasReads(compared.map((i) => join(dir, `${i}.csv`)))
    for (const [n, i] of compared.entries()) {
      const wrong = compare(outcomes[i] as Table, pandas[n])
      if (wrong) problems.push(`${i} ${cases[i].what}: ${wrong}`)
    }
    const counts: Record<string, number> = {}
    for (const o of outcomes) {
      const key = 'columns' in o ? (plainNumbers(o) ? 'plain numbers, compared with pandas' : 'read (text, ragged rows, odd conventions or unusable cells recorded)') : `refused ${o.code}`
      counts[key] = (counts[key] ?? 0) + 1
    }
    console.log(`CSV mutation fuzz: ${CASES} cases, seed ${SEED}; slowest ${slowest.toFixed(0)} ms; memory grew ${((peak - before) / 2 ** 20).toFixed(0)} MB at most; ${JSON.stringify(counts)}`)
    expect(problems.slice(0, 20)).toEqual([])
    expect(compared.length).toBeGreaterThan(CASES / 10)
    expect(peak - before).toBeLessThan(512 * 2 ** 20)
  }, 600_000)
})
