/**
 * How `lab train` and `lab search` read a CSV: --delimiter, --decimal, --encoding, --header, and
 * the ways past a broken file (--bad-rows skip, --bad-cells missing). Each flag is a parse option
 * (src/shared/schemas.ts); the words a student types map onto its values here and nowhere else.
 */
import { labError } from '../../shared/errors'
import type { ParseOptions, ParseOptionsInput } from '../../shared/schemas'

export const CSV_OPTIONS = {
  delimiter: { type: 'string', default: 'auto' },
  decimal: { type: 'string', default: 'auto' },
  encoding: { type: 'string', default: 'utf-8' },
  header: { type: 'string', default: 'auto' },
  'bad-rows': { type: 'string', default: 'refuse' },
  'bad-cells': { type: 'string', default: 'refuse' },
} as const

type Choices<T extends string> = Record<string, T>

const DELIMITERS: Choices<ParseOptions['delimiter']> = { auto: '', ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\t': '\t', '|': '|', bar: '|' }
const DECIMALS: Choices<ParseOptions['decimal']> = { auto: '', '.': '.', point: '.', ',': ',', comma: ',' }
const ENCODINGS: Choices<ParseOptions['encoding']> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'latin-1': 'windows-1252',
  latin1: 'windows-1252',
  'utf-16le': 'utf-16le',
  'utf-16': 'utf-16le',
  utf16: 'utf-16le',
  'utf-16be': 'utf-16be',
}
const HEADERS: Choices<ParseOptions['header']> = { auto: 'auto', yes: 'yes', no: 'no' }
const BAD_ROWS: Choices<ParseOptions['badRows']> = { refuse: 'refuse', skip: 'skip' }
const BAD_CELLS: Choices<ParseOptions['badCells']> = { refuse: 'refuse', missing: 'missing' }

function choose<T extends string>(flag: string, value: string, choices: Choices<T>, shown: string): T {
  const key = value.toLowerCase()
  // own keys only: "constructor" or "__proto__" typed as a value must not reach Object.prototype
  const found = Object.hasOwn(choices, key) ? choices[key] : undefined
  if (found === undefined) throw labError('INVALID_ARGUMENT', `Unknown --${flag} "${value}". Choose ${shown}.`)
  return found
}

export interface CsvArgs {
  delimiter: string
  decimal: string
  encoding: string
  header: string
  'bad-rows': string
  'bad-cells': string
}

export function parseOptionsFromArgs(args: CsvArgs): ParseOptionsInput {
  return {
    delimiter: choose('delimiter', args.delimiter, DELIMITERS, 'auto, ",", ";", tab or "|"'),
    decimal: choose('decimal', args.decimal, DECIMALS, 'auto, "." or ","'),
    encoding: choose('encoding', args.encoding, ENCODINGS, 'utf-8, windows-1252, utf-16le or utf-16be'),
    header: choose('header', args.header, HEADERS, 'auto, yes or no'),
    badRows: choose('bad-rows', args['bad-rows'], BAD_ROWS, 'refuse or skip'),
    badCells: choose('bad-cells', args['bad-cells'], BAD_CELLS, 'refuse or missing'),
  }
}

export const CSV_HELP = `  --delimiter auto|,|;|tab|"|"  --decimal auto|.|,   how cells and numbers are written (auto: detected)
  --encoding utf-8|windows-1252|utf-16le|utf-16be    a byte order mark or UTF-16's zero bytes win
  --header auto|yes|no                  whether the first line names the columns
  --bad-rows refuse|skip                rows without the header's number of values: refuse (naming the line) or leave out
  --bad-cells refuse|missing            cells with no usable number (text, inf, beyond ±1.8e19) in a number column
`
