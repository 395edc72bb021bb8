/** `lab lessons` and `lab lesson ID|FILE.json [--check]` options. */
import { labError } from '../../shared/errors'
import { parseCommandArgs } from './args'

const OPTIONS = {
  check: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

export function lessonArgv(argv: string[], command: 'lessons' | 'lesson'): { which?: string; check: boolean; json: boolean; help?: boolean } {
  const { positionals, values } = parseCommandArgs(argv, OPTIONS, command, true)
  if (values.help) return { check: false, json: values.json, help: true }
  if (command === 'lessons' && positionals.length) throw labError('INVALID_ARGUMENT', `lab lessons takes no file or id. ${LESSON_HELP}`)
  if (command === 'lesson' && positionals.length !== 1) throw labError('INVALID_ARGUMENT', `Name one lesson: its id or the path of its .json file. ${LESSON_HELP}`)
  return { which: positionals[0], check: values.check, json: values.json }
}

export const LESSON_HELP = `lab lessons [--json]                       the bundled lessons (id, title, lecture)
lab lesson ID|FILE.json [--check] [--json]  show a lesson, or run its reference runs and checks
`
