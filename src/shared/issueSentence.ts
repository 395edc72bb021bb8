/**
 * A setting zod refused, as a sentence a student can act on, naming the setting as the window and
 * the CLI show it. Schemas word their own rules where a rule needs it ("Epochs must be at least
 * 1."); given to safeParse as its error map, this words every other issue from its code, where
 * zod would say "0.train.epochs: Too big: expected number to be <=1000000".
 */
import type { z } from 'zod'
import { LOSS_TABLE } from './catalog/losses'
import { OPTIMIZER_TABLE } from './catalog/optimizers'
import { labError } from './errors'
import { assertNever } from './exhaustive'
import { LAYER_MODULES } from './layers'

/**
 * Each argument's name as its catalogue gives it (the window's inputs, the CLI's and torch's
 * keywords), then the few settings no catalogue holds; the rest are their key's words
 * (batchSize → "Batch size").
 */
const LABELS: ReadonlyMap<string, string> = new Map([
  ...[...Object.values(LAYER_MODULES), ...Object.values(LOSS_TABLE), ...Object.values(OPTIMIZER_TABLE)].flatMap((d) => d.args.map((a) => [a.key, a.label] as const)),
  ['valSplit', 'Validation split'],
  ['out', 'The output path'],
])

function words(key: string): string {
  // a symbol (the landscape's axes w and b) is named as it is written
  if (key.length <= 2) return key
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
  return spaced.charAt(0).toUpperCase() + spaced.slice(1)
}

/** where a setting sits when it is one item of a list ("layers[2]"), else undefined */
function listItem(path: readonly PropertyKey[], before: number): string | undefined {
  const item = path.findLastIndex((p, i) => i < before && typeof p === 'number' && typeof path[i - 1] === 'string')
  return item > 0 ? `${String(path[item - 1])}[${String(path[item])}]` : undefined
}

/**
 * A setting as a student reads it: its words ("Learning rate"), and where it sits when that is
 * one item of a list ("layers[2]"). A discriminator (an optimizer's or a loss's `name`, a
 * source's `kind`) is named by what it chooses: "Optimizer", or the list item itself.
 */
function setting(path: readonly PropertyKey[]): { words: string; where?: string } {
  const at = path.findLastIndex((p) => typeof p === 'string')
  if (at < 0) return { words: 'The request' }
  const key = path[at] as string
  if ((key === 'name' || key === 'kind') && at > 0) {
    if (typeof path[at - 1] === 'string') return { words: words(path[at - 1] as string), where: listItem(path, at - 1) }
    const item = listItem(path, at)
    if (item) return { words: item }
  }
  return { words: LABELS.get(key) ?? words(key), where: listItem(path, at) }
}

/** "Learning rate", or "out_features of layers[2]" for a setting inside a list; "The request" when the path names none */
export function settingName(path: readonly PropertyKey[]): string {
  const { words, where } = setting(path)
  return where ? `${words} of ${where}` : words
}

const count = (n: number | bigint): string => n.toLocaleString('en-US')

const KINDS: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a set of settings',
  record: 'a set of settings',
}

type Issue = z.core.$ZodRawIssue

/** the sentence for one issue a schema did not word itself */
export function issueSentence(issue: Issue): string {
  const name = settingName(issue.path ?? [])
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${name} is missing.`
      if (issue.expected === 'number' && typeof issue.input === 'number') return `${name} must be a finite number, not ${issue.input}.`
      return `${name} must be ${KINDS[issue.expected] ?? issue.expected}.`
    case 'too_big': {
      const list = issue.origin === 'array' || issue.origin === 'set'
      if (list) return `${name} can have at most ${count(issue.maximum)} item${issue.maximum === 1 ? '' : 's'}.`
      if (issue.origin === 'string') return `${name} can be at most ${count(issue.maximum)} characters long.`
      return issue.inclusive === false ? `${name} must be below ${count(issue.maximum)}.` : `${name} can be at most ${count(issue.maximum)}.`
    }
    case 'too_small': {
      const list = issue.origin === 'array' || issue.origin === 'set'
      if (list) return `${name} needs at least ${count(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}.`
      if (issue.origin === 'string') return issue.minimum === 1 ? `${name} cannot be empty.` : `${name} must be at least ${count(issue.minimum)} characters long.`
      return issue.inclusive === false ? `${name} must be above ${count(issue.minimum)}.` : `${name} must be at least ${count(issue.minimum)}.`
    }
    case 'invalid_value':
      return `${name} must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`
    case 'invalid_union': {
      // a discriminated union (an optimizer's or a layer's name) lists the names it knows
      const options = (issue as { options?: readonly unknown[] }).options ?? []
      return options.length ? `${name} must be one of ${options.map((v) => JSON.stringify(v)).join(', ')}.` : `${name} is none of the forms it can take.`
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ')
      const owner = issue.path?.length ? ` of ${settingName(issue.path)}` : ''
      return `${keys} ${issue.keys.length === 1 ? 'is not a setting' : 'are not settings'}${owner} TorchLab knows.`
    }
    case 'not_multiple_of':
      return `${name} must be a multiple of ${issue.divisor}.`
    case 'invalid_format':
      return `${name} is not in the form it takes${issue.format ? ` (${issue.format})` : ''}.`
    case 'invalid_key':
    case 'invalid_element':
      return `${name} holds an entry that is not valid.`
    case 'custom':
      return `${name} is not valid.`
    case undefined:
      return `${name} is not valid.`
    default:
      return assertNever(issue, 'zod issue')
  }
}

/** safeParse's error map: every issue a schema did not word itself, worded by issueSentence */
export const studentSentences: z.core.$ZodErrorMap = (issue) => issueSentence(issue as Issue)

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A failed parse's issues as sentences, each once, in order. A sentence that does not name its
 * setting (a schema's own: "A range needs min below max") gets the setting's name first.
 */
export function issueSentences(error: z.ZodError): string[] {
  const names = (message: string, name: string): boolean => new RegExp(`(?<!\\w)${escaped(name)}(?!\\w)`, 'i').test(message)
  const sentences = error.issues.map((issue) => {
    // a positional argument (a path, a run's id) has no key to name it: its schema's sentence says what it is
    if (!issue.path.some((p) => typeof p === 'string')) return issue.message
    const { words, where } = setting(issue.path)
    const full = settingName(issue.path)
    if (names(issue.message, full)) return issue.message
    // a schema's sentence names the setting but cannot know which item of a list it was
    if (where && names(issue.message, words)) return `${where}: ${issue.message}`
    return `${full}: ${issue.message}`
  })
  return [...new Set(sentences)]
}

/** a failed parse's issues as one text */
export function issuesText(error: z.ZodError): string {
  return issueSentences(error).join(' ')
}

/** `value` as `schema` takes it, or an INVALID_ARGUMENT LabError: "Invalid {what}." and the sentences */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value, { error: studentSentences })
  if (result.success) return result.data
  throw labError('INVALID_ARGUMENT', `Invalid ${what}. ${issuesText(result.error)}`)
}
