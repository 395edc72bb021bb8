/**
 * Broken CSVs made at test time from the bundled data sets, reproducibly from a seed: the ways a
 * file goes wrong on a student's disk (truncated, bytes flipped, stray quotes, delimiters, NULs and
 * BOMs, huge cells, inf/nan/1e400, mixed line endings, ragged rows, UTF-16, empty, header-only,
 * one row, duplicate names, decimal commas), one to three at a time.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRng, type Rng } from '../../src/main/lab/data/rng'
import type { ParseOptionsInput } from '../../src/shared/schemas'
import { DATASETS } from '../helpers/lab'

export interface MutatedCsv {
  name: string
  /** the file's bytes; text files are UTF-8 */
  bytes: Uint8Array
  options: ParseOptionsInput
}

const SOURCES = ['cars', 'iris', 'diabetes', 'wine'].map((name) => ({ name, text: readFileSync(join(DATASETS, `${name}.csv`), 'utf8') }))
const STRANGE = ['"', '""', ',', ';', '\t', '|', '\0', '\uFEFF', '\r', '\n', '\r\n', 'inf', 'nan', '1e400', '-1e308', 'é', '\uFFFD', ' ', 'NA', '"a,b"']
const NOT_NUMBERS = ['inf', '-inf', 'Infinity', 'nan', 'NaN', '1e400', '-1e400', '1e308', '2e19', '-3.5e25', 'abc', '1,5', '1.2.3', '--1', '0x1F', '']

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]
const at = (rng: Rng, text: string) => Math.floor(rng() * (text.length + 1))
const lines = (text: string) => text.split('\n')

type Mutation = (text: string, rng: Rng) => string

const MUTATIONS: Record<string, Mutation> = {
  truncate: (t, r) => t.slice(0, at(r, t)),
  flip: (t, r) => {
    const i = at(r, t)
    return t.slice(0, i) + pick(r, STRANGE) + t.slice(i + 1)
  },
  insert: (t, r) => {
    const i = at(r, t)
    return t.slice(0, i) + pick(r, STRANGE) + t.slice(i)
  },
  quote: (t, r) => {
    const i = at(r, t)
    return t.slice(0, i) + '"' + t.slice(i)
  },
  nul: (t, r) => {
    const i = at(r, t)
    return t.slice(0, i) + '\0'.repeat(1 + Math.floor(r() * 3)) + t.slice(i)
  },
  bom: (t, r) => (r() < 0.5 ? '\uFEFF' + t : t.replace('\n', '\n\uFEFF')),
  hugeCell: (t, r) => {
    const ls = lines(t)
    const k = 1 + Math.floor(r() * (ls.length - 1))
    const cells = (ls[k] ?? '').split(',')
    cells[Math.floor(r() * cells.length)] = (r() < 0.5 ? '9' : 'x').repeat(100_000 + Math.floor(r() * 900_000))
    ls[k] = cells.join(',')
    return ls.join('\n')
  },
  notNumber: (t, r) => {
    const ls = lines(t)
    const k = 1 + Math.floor(r() * (ls.length - 1))
    const cells = (ls[k] ?? '').split(',')
    cells[Math.floor(r() * cells.length)] = pick(r, NOT_NUMBERS)
    ls[k] = cells.join(',')
    return ls.join('\n')
  },
  lineEndings: (t, r) => t.replace(/\n/g, () => pick(r, ['\n', '\r\n', '\r'])),
  ragged: (t, r) => {
    const ls = lines(t)
    const k = Math.floor(r() * ls.length)
    ls[k] = r() < 0.5 ? ls[k].replace(',', '') : ls[k] + ',' + pick(r, ['', '7', 'x'])
    return ls.join('\n')
  },
  empty: () => '',
  blank: (_, r) => pick(r, ['\n', '\r\n\r\n', '   \n\t\n', '\uFEFF']),
  headerOnly: (t) => lines(t)[0] + '\n',
  oneRow: (t) => lines(t).slice(0, 2).join('\n') + '\n',
  duplicateNames: (t, r) => {
    const ls = lines(t)
    const names = ls[0].split(',')
    names[Math.floor(r() * names.length)] = pick(r, names)
    ls[0] = names.join(',')
    return ls.join('\n')
  },
  decimalComma: (t) => t.replace(/,/g, ';').replace(/(\d)\.(\d)/g, '$1,$2'),
  tabs: (t) => t.replace(/,/g, '\t'),
  dropLines: (t, r) =>
    lines(t)
      .filter(() => r() < 0.9)
      .join('\n'),
}

const OPTIONS: ParseOptionsInput[] = [{}, {}, { badRows: 'skip' }, { badCells: 'missing' }, { badRows: 'skip', badCells: 'missing' }, { header: 'no' }, { decimal: ',' }, { delimiter: ';' }]

function encode(text: string, rng: Rng): { bytes: Uint8Array; how: string } {
  const roll = rng()
  if (roll < 0.85) return { bytes: Buffer.from(text, 'utf8'), how: 'utf-8' }
  const bytes = Buffer.from(text, 'utf16le')
  const bigEndian = roll > 0.93
  if (bigEndian && bytes.length % 2 === 0) bytes.swap16()
  const bom = rng() < 0.5 ? Buffer.from(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]) : Buffer.alloc(0)
  const out = Buffer.concat([bom, bytes])
  // a flipped byte can make the UTF-16 odd-sized or invalid, as a damaged file is
  if (rng() < 0.3 && out.length > 0) out[Math.floor(rng() * out.length)] ^= 0xff
  return { bytes: out, how: `utf-16${bigEndian ? 'be' : 'le'}${bom.length ? ' with BOM' : ''}` }
}

/** `count` broken files, the same ones for the same seed; at most `hugeCells` of them carry a cell of 100 KB to 1 MB. */
export function mutatedCsvs(count: number, seed: number, hugeCells = 24): MutatedCsv[] {
  const rng = createRng(seed)
  const names = Object.keys(MUTATIONS)
  const cases: MutatedCsv[] = []
  let huge = 0
  while (cases.length < count) {
    const source = pick(rng, SOURCES)
    const steps: string[] = []
    for (let k = 1 + Math.floor(rng() * 3); k > 0; k--) {
      const step = pick(rng, names)
      if (step === 'hugeCell' && huge >= hugeCells) continue
      if (step === 'hugeCell') huge++
      steps.push(step)
    }
    const text = steps.reduce((t, step) => MUTATIONS[step](t, rng), source.text)
    const { bytes, how } = encode(text, rng)
    const options = pick(rng, OPTIONS)
    cases.push({ name: `#${cases.length} ${source.name}: ${steps.join(' + ')} (${how}, ${JSON.stringify(options)})`, bytes, options })
  }
  return cases
}
