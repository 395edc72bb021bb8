/**
 * How every `lab` command reads its options: node's parseArgs, strict, with its refusals
 * reworded as sentences that name the command, suggest the option meant ("did you mean"), and
 * point at the command's --help. A value that starts with a minus and reads as a number
 * (`--lr -0.1`, `--w -0.5`) is taken as the value, as Python's argparse takes it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { labError, messageIn } from '../../shared/errors'
import { closest } from './suggest'

type Options = NonNullable<ParseArgsConfig['options']>

/** what parseArgs's tokens say, as far as the checks below read them */
type ParsedToken = { kind: 'option'; name: string; value?: string | undefined } | { kind: 'positional'; value: string } | { kind: 'option-terminator' }

/** a negative number: -1, -0.5, -.5, -1e-3, -inf */
const NEGATIVE_NUMBER = /^-(\d|\.\d|inf)/i

/** `--name -0.1` -> `--name=-0.1` for the options that take a value, so parseArgs reads it as one */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const joined: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]
    if (token === '--') return [...joined, ...argv.slice(i)]
    const name = token.startsWith('--') && !token.includes('=') ? token.slice(2) : undefined
    const next = argv[i + 1]
    if (name !== undefined && Object.hasOwn(options, name) && options[name].type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`${token}=${next}`)
      i++
    } else joined.push(token)
  }
  return joined
}

/** the option parseArgs named in its refusal, as it was typed (--lrr, -x) */
const optionIn = (message: string): string | undefined => /option '(-{1,2}[^' ]+?)(?: <value>)?'/i.exec(message)?.[1]

function sentence(err: unknown, options: Options, command: string): string {
  const code = (err as { code?: string }).code
  const message = messageIn(err)
  const typed = optionIn(message)
  const help = `Run "lab ${command} --help" for the options.`
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && typed) {
    const flags = Object.keys(options).map((name) => `--${name}`)
    const meant = closest(typed.split('=')[0], flags)
    return `lab ${command} has no option ${typed}${meant ? `; did you mean ${meant}?` : '.'} ${help}`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && typed) {
    const name = typed.replace(/^-+/, '')
    if (Object.hasOwn(options, name) && options[name].type === 'boolean') return `${typed} is a switch and takes no value: write ${typed} alone. ${help}`
    if (/ambiguous/.test(message)) return `${typed} is followed by another option, not its value; a value that starts with "-" is written ${typed}=-VALUE. ${help}`
    return `${typed} needs a value after it. ${help}`
  }
  const positional = /argument '(.*)'/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && positional !== undefined) {
    return `lab ${command} takes its settings as options (--name value), not "${positional}" on its own. ${help}`
  }
  return `${message}. ${help}`
}

/**
 * An option given twice with two values (`--lr 0.1 … --lr 0.5`, a script's default and its
 * override) is refused: parseArgs would keep the last without a word, and the student would not
 * know which ran. The same value twice, and the options meant to repeat (--grid), are fine.
 */
function refuseConflicts(tokens: readonly ParsedToken[], options: Options, command: string): void {
  const seen = new Map<string, string | undefined>()
  for (const token of tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue
    if (seen.has(token.name) && seen.get(token.name) !== token.value) {
      throw labError('INVALID_ARGUMENT', `--${token.name} is given twice, as ${seen.get(token.name)} and as ${token.value}: give it once, with the value you mean. Run "lab ${command} --help" for the options.`)
    }
    seen.set(token.name, token.value)
  }
}

/** C:\\ or C:/, \\\\server\\share, .\\ and ..\\: how Windows, never a Unix shell, begins a path */
const WINDOWS_PATH = /^([a-z]:[\\/]|\\\\|\.{1,2}\\)/i

/**
 * A path copied from a Windows machine (a teacher's script written there) is refused on Linux
 * and macOS, where it names nothing the student meant: read, it is a missing file; written, a
 * file called "C:\\Users\\kim\\model.pth" in the current folder.
 */
function refuseWindowsPaths(values: Iterable<[string | undefined, string]>, platform: NodeJS.Platform): void {
  if (platform === 'win32') return
  for (const [name, value] of values) {
    if (!WINDOWS_PATH.test(value)) continue
    const file = value.split(/[\\/]/).at(-1)
    throw labError('INVALID_ARGUMENT', `${name === undefined ? '' : `--${name} `}${value} is written as on Windows; on this computer a path has no drive letter and separates its folders with / (a file in the current folder is written by its name alone: ${file}).`)
  }
}

/** the options that name a file lab reads, and those that name a file it writes; every positional names a file read */
const READ_FILES = new Set(['data', 'init'])
const WRITTEN_FILES = new Set(['out', 'csv', 'export-py'])

/**
 * `-` for standard input or output, as many tools read it, is offered by no lab command: its
 * files are read twice (detection, then parsing) and written through a temporary file renamed
 * into place. Taken as a name, `--out -` wrote a file called "-" in the current folder.
 */
function refuseDash(tokens: readonly ParsedToken[]): void {
  for (const t of tokens) {
    if (t.kind === 'positional' && t.value === '-') throw labError('INVALID_ARGUMENT', 'lab reads its files by name, not from standard input ("-"): save what you would pipe in to a file, and give its name.')
    if (t.kind !== 'option' || t.value !== '-') continue
    if (READ_FILES.has(t.name)) throw labError('INVALID_ARGUMENT', `--${t.name} names a file to read, not standard input ("-"): save what you would pipe in to a file (… > data.csv), and give its name.`)
    if (WRITTEN_FILES.has(t.name)) throw labError('INVALID_ARGUMENT', `--${t.name} names a file to write, not standard output ("-"): give a file name, and print the file with cat if you want it on the terminal.`)
  }
}

/** argv parsed strictly against options; every refusal is an INVALID_ARGUMENT sentence */
export function parseCommandArgs<T extends Options>(argv: readonly string[], options: T, command: string, allowPositionals = false, platform = process.platform) {
  let parsed
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals, tokens: true })
  } catch (err) {
    throw labError('INVALID_ARGUMENT', sentence(err, options, command))
  }
  refuseConflicts(parsed.tokens, options, command)
  refuseDash(parsed.tokens)
  refuseWindowsPaths(
    parsed.tokens.flatMap((t): [string | undefined, string][] => (t.kind === 'option' && t.value !== undefined ? [[t.name, t.value]] : t.kind === 'positional' ? [[undefined, t.value]] : [])),
    platform,
  )
  return { values: parsed.values, positionals: parsed.positionals }
}
