/**
 * The options of `npm start` and `npm run web`, read as the `lab` CLI reads its own: a typo or a
 * port that is not one is a sentence and exit code 2, never Node's stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { closest } from './cli/suggest'

type Options = NonNullable<ParseArgsConfig['options']>

/** why the arguments cannot be read, in a sentence naming the option; undefined when they can */
export function launchProblem(command: string, options: Options, err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code
  const names = Object.keys(options).map((name) => `--${name}`)
  const given = /'([^']+)'/.exec((err as Error).message)?.[1] ?? ''
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `${command} takes only options (${names.join(', ')}); "${given}" is not one.`
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const guess = closest(given.replace(/=.*$/, ''), names)
    return `${command} has no option "${given}"${guess ? `; did you mean ${guess}?` : '.'} It takes ${names.join(', ')}.`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = names.find((n) => (err as Error).message.includes(n))
    return name ? `${command}'s ${name} takes a value (${name} VALUE).` : `${command}: ${(err as Error).message}`
  }
  return undefined
}

/** the parsed options, or a sentence on stderr and exit code 2 */
export function readLaunchOptions<T extends Options>(command: string, options: T, args = process.argv.slice(2)): ReturnType<typeof parseArgs<{ options: T; args: string[] }>>['values'] {
  try {
    return parseArgs({ options, args }).values
  } catch (err) {
    const problem = launchProblem(command, options, err)
    if (!problem) throw err
    return refuse(problem)
  }
}

/** why a --port value is not a TCP port (a whole number from 0, any free port, to 65535), if it is not */
export function portProblem(command: string, text: string): string | undefined {
  const port = Number(text)
  if (text.trim() !== '' && Number.isInteger(port) && port >= 0 && port <= 65_535) return undefined
  return `${command}'s --port takes a whole number from 1 to 65535 (or 0 for any free port); "${text}" is not one.`
}

/** the port, or a sentence on stderr and exit code 2 */
export function portOf(command: string, text: string): number {
  const problem = portProblem(command, text)
  return problem ? refuse(problem) : Number(text)
}

export function refuse(sentence: string): never {
  process.stderr.write(`${sentence}\n`)
  process.exit(2)
}
