/** How every lab command reads its options, as a teacher's script writes them: twice, joined with =, negative, after --. */
import { describe, expect, it } from 'vitest'
import { parseCommandArgs } from '../../src/main/cli/args'
import { searchConfigFromArgv } from '../../src/main/cli/searchArgs'
import { parseTrainArgv } from '../../src/main/cli/trainArgs'
import { LabError } from '../../src/shared/errors'

const refusal = (run: () => unknown): string => {
  try {
    run()
  } catch (err) {
    if (LabError.is(err)) return err.message
    throw err
  }
  throw new Error('not refused')
}

describe('lab options', () => {
  it('an option given twice with two values is refused, naming both; the same value twice is one value', () => {
    expect(refusal(() => parseTrainArgv(['--lr', '0.1', '--epochs', '5', '--lr=0.5']))).toBe(
      '--lr is given twice, as 0.1 and as 0.5: give it once, with the value you mean. Run "lab train --help" for the options.',
    )
    expect(parseTrainArgv(['--lr', '0.1', '--lr=0.1', '--json', '--json'])).toMatchObject({ lr: '0.1', json: true })
  })

  it('options meant to repeat still repeat', () => {
    const { config } = searchConfigFromArgv(['--grid', 'lr=0.02,0.05', '--grid', 'epochs=10,20'])
    expect(config.grid).toEqual({ lr: [0.02, 0.05], epochs: [10, 20] })
  })

  it('reads --opt=value as --opt value, a negative number as a value, and a path after -- as a path', () => {
    expect(parseTrainArgv(['--lr=-1', '--momentum', '-0.5', '--epochs', '3'])).toMatchObject({ lr: '-1', momentum: '-0.5', epochs: '3' })
    const { positionals } = parseCommandArgs(['--json', '--', '-model.pth', '--values'], { json: { type: 'boolean' } }, 'inspect', true)
    expect(positionals).toEqual(['-model.pth', '--values'])
  })

  it('refuses a path written as on Windows, with what to write instead, except on Windows', () => {
    const options = { out: { type: 'string' } } as const
    expect(refusal(() => parseCommandArgs(['--out', 'C:\\Users\\kim\\model.pth'], options, 'train', false, 'linux'))).toBe(
      '--out C:\\Users\\kim\\model.pth is written as on Windows; on this computer a path has no drive letter and separates its folders with / (a file in the current folder is written by its name alone: model.pth).',
    )
    expect(refusal(() => parseCommandArgs(['\\\\server\\share\\m.pth'], {}, 'inspect', true, 'darwin'))).toMatch(/^\\\\server\\share\\m\.pth is written as on Windows/)
    expect(refusal(() => parseTrainArgv(['--data', '.\\cars.csv']))).toMatch(/^--data \.\\cars\.csv is written as on Windows;.*: cars\.csv\)\.$/)
    expect(parseCommandArgs(['--out', 'C:\\Users\\kim\\model.pth'], options, 'train', false, 'win32').values.out).toBe('C:\\Users\\kim\\model.pth')
    expect(parseCommandArgs(['--out', 'runs/Ünï côde/model.pth'], options, 'train', false, 'linux').values.out).toBe('runs/Ünï côde/model.pth')
  })

  it('refuses "-" as a file, read or written, where it would have named a file called "-"', () => {
    expect(refusal(() => parseTrainArgv(['--out', '-']))).toBe('--out names a file to write, not standard output ("-"): give a file name, and print the file with cat if you want it on the terminal.')
    expect(refusal(() => searchConfigFromArgv(['--grid', 'lr=0.02', '--csv=-']))).toMatch(/^--csv names a file to write, not standard output/)
    expect(refusal(() => parseTrainArgv(['--data', '-']))).toMatch(/^--data names a file to read, not standard input \("-"\)/)
    expect(refusal(() => parseCommandArgs(['-'], {}, 'inspect', true))).toMatch(/^lab reads its files by name, not from standard input/)
    // a value that is not a file keeps its "-" (refused, where it is, for its own reason)
    expect(parseCommandArgs(['--delimiter', '-'], { delimiter: { type: 'string' } }, 'train').values.delimiter).toBe('-')
  })
})
