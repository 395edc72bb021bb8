/** `lab lessons` and `lab lesson ID|FILE.json [--check]` options. */
import { parseArgs } from 'node:util'
import { labError } from '../../shared/errors'

export function lessonArgv(argv: string[], command: 'lessons' | 'lesson'): { which?: string; check: boolean; json: boolean } {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: { check: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true })
  } catch (err) {
    throw labError('INVALID_ARGUMENT', `${err instanceof Error ? err.message : String(err)}. ${LESSON_HELP}`)
  }
  const { positionals, values } = parsed
  if (command === 'lessons' && positionals.length) throw labError('INVALID_ARGUMENT', `lab lessons takes no file or id. ${LESSON_HELP}`)
  if (command === 'lesson' && positionals.length !== 1) throw labError('INVALID_ARGUMENT', `Name one lesson: its id or the path of its .json file. ${LESSON_HELP}`)
  return { which: positionals[0], check: values.check, json: values.json }
}

export const LESSON_HELP = `lab lessons [--json]                       the bundled lessons (id, title, lecture)
lab lesson ID|FILE.json [--check] [--json]  show a lesson, or run its reference runs and checks
`
