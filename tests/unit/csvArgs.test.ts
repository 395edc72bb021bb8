/** The CSV flags of lab train and lab search: each maps onto a parse option, and a student who runs them gets the file read as asked. */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CSV_HELP } from '../../src/main/cli/csvArgs'
import { SEARCH_HELP, searchConfigFromArgv } from '../../src/main/cli/searchArgs'
import { parseTrainArgv, TRAIN_HELP, trainRequestFromArgs } from '../../src/main/cli/trainArgs'
import { LabError } from '../../src/shared/errors'
import { datasetSpecSchema } from '../../src/shared/schemas'
import { ROOT, tempDir } from '../helpers/lab'

const parseOf = (argv: string[]) => datasetSpecSchema.parse(trainRequestFromArgs(parseTrainArgv(argv)).dataset).parse

describe('CSV flags', () => {
  it('default to detecting everything and refusing broken rows and cells', () => {
    expect(parseOf([])).toEqual({ delimiter: '', decimal: '', header: 'auto', encoding: 'utf-8', badRows: 'refuse', badCells: 'refuse' })
  })

  it('map the words a student types onto parse options, for train and search alike', () => {
    const argv = ['--delimiter', 'tab', '--decimal', ',', '--encoding', 'UTF-16', '--header', 'no', '--bad-rows', 'skip', '--bad-cells', 'missing']
    const expected = { delimiter: '\t', decimal: ',', header: 'no', encoding: 'utf-16le', badRows: 'skip', badCells: 'missing' }
    expect(parseOf(argv)).toEqual(expected)
    expect(searchConfigFromArgv([...argv, '--grid', 'lr=0.1']).config.dataset.parse).toEqual(expected)
    expect(parseOf(['--delimiter', ';', '--encoding', 'latin1']).encoding).toBe('windows-1252')
  })

  it.each([
    [['--decimal', ';'], 'Unknown --decimal ";". Choose auto, "." or ",".'],
    [['--encoding', 'ebcdic'], 'Unknown --encoding "ebcdic". Choose utf-8, windows-1252, utf-16le or utf-16be.'],
    [['--header', 'maybe'], 'Unknown --header "maybe". Choose auto, yes or no.'],
    [['--bad-rows', 'drop'], 'Unknown --bad-rows "drop". Choose refuse or skip.'],
    [['--header', 'constructor'], 'Unknown --header "constructor". Choose auto, yes or no.'],
    [['--encoding', '__proto__'], 'Unknown --encoding "__proto__". Choose utf-8, windows-1252, utf-16le or utf-16be.'],
  ])('refuse %j with the choices', (argv, message) => {
    expect(() => parseOf(argv)).toThrow(LabError)
    expect(() => parseOf(argv)).toThrow(message)
  })

  it('are documented in --help for both commands', () => {
    for (const help of [TRAIN_HELP, SEARCH_HELP]) {
      expect(help).toContain(CSV_HELP)
      for (const flag of ['--delimiter', '--decimal', '--encoding', '--header', '--bad-rows', '--bad-cells']) expect(help).toContain(flag)
    }
  })
})

function lab(args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, TORCHLAB_CONFIG_DIR: tempDir('torchlab-cli-settings-') } },
      (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, json: JSON.parse(stdout || '{}') }),
    )
  })
}

describe('lab train on a European spreadsheet export in UTF-16', () => {
  it('refuses its ragged line by number, then trains once told to skip it', async () => {
    const path = join(tempDir('torchlab-csv-args-'), 'eu.csv')
    const text = 'wt;mpg\r\n2,62;21\r\n2,875;21\r\n2,32;22,8;1\r\n3,215;21,4\r\n'
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))
    const args = ['train', '--data', path, '--x', 'wt', '--y', 'mpg', '--epochs', '3', '--json']
    const [refused, skipped, asPoint] = await Promise.all([lab(args), lab([...args, '--bad-rows', 'skip']), lab([...args, '--bad-rows', 'skip', '--decimal', '.'])])
    expect(refused.code).toBe(2)
    expect(refused.json.error).toMatchObject({ code: 'CSV_RAGGED_ROW', line: 4 })
    expect(skipped.code).toBe(0)
    expect(skipped.json).toMatchObject({ status: 'completed', epochs: 3 })
    expect(skipped.json.ols).toMatchObject({ coef: [expect.any(Number)] })
    // read with a decimal point, the comma numbers are text: the CLI names the cell
    expect(asPoint.json.error).toMatchObject({ code: 'COLUMN_NOT_NUMERIC', line: 2, column: 'wt' })
  })
})
