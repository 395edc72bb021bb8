/**
 * A setting zod refused, as a sentence a student can act on, naming the setting as the window and
 * the CLI show it. Schemas word their own rules where a rule needs it ("Epochs must be at least
 * 1."); given to safeParse as its error map, this words every other issue from its code, where
 * zod would say "0.train.epochs: Too big: expected number to be <=1000000".
 */
import type { z } from 'zod'
import { LOSS_TABLE } from './catalog/losses'
import { OPTIMIZER_TABLE } from './catalog/optimizers'
import { editDistance } from './editDistance'
import { labError } from './errors'
import { assertNever } from './exhaustive'
import { LAYER_MODULES } from './layers'

/**
 * Each argument's name as its catalogue gives it (the window's inputs, the CLI's and torch's
 * keywords), then the settings no catalogue holds, by the window's label where the window shows
 * them; the rest are their key's words (batchSize → "Batch size").
 */
const LABELS: ReadonlyMap<string, string> = new Map([
  ...[...Object.values(LAYER_MODULES), ...Object.values(LOSS_TABLE), ...Object.values(OPTIMIZER_TABLE)].flatMap((d) => d.args.map((a) => [a.key, a.label] as const)),
  ['valSplit', 'Validation split'],
  ['scale', 'Standardize features'],
  ['missing', 'Missing values'],
  ['decimal', 'Decimal mark'],
  ['header', 'Header row'],
  ['badRows', 'Rows that do not fit'],
  ['badCells', 'Cells that are not numbers'],
  ['initFrom', 'The .pth file to start from'],
  ['initKey', 'Weights from'],
  ['init', 'The starting weights'],
  ['pace', 'Speed'],
  ['cv', 'Folds'],
  ['nIter', 'Number of random settings'],
  ['nJobs', 'Parallel fits'],
  ['dropLast', 'Drop last'],
  ['refit', 'Refit'],
  ['key', 'Weights from'],
  ['batch_size', 'Batch size'],
  ['hidden', 'Hidden layer sizes'],
  ['dtype', 'dtype'],
  ['source', 'The data source'],
  ['checkpoint', 'The .pth file'],
  ['config', 'The search'],
  ['path', 'The file path'],
  ['out', 'The output path'],
])

/** a set of settings as a sentence names it ("the training settings"); others by their key's words */
const GROUPS: ReadonlyMap<string, string> = new Map([
  ['dataset', 'the data set'],
  ['data', 'the data set'],
  ['lastDataset', 'the saved data set'],
  ['source', 'the data source'],
  ['parse', 'the CSV options'],
  ['model', 'the model'],
  ['lastModel', 'the saved model'],
  ['train', 'the training settings'],
  ['lastTrain', 'the saved training settings'],
  ['setup', "the lesson's setup"],
  ['random', 'the random search'],
  ['search', "the run's search"],
  ['lastSearch', 'the saved search'],
  ['scratch', 'the from-scratch run'],
  ['windowBounds', 'the window bounds'],
  ['request', 'the request'],
  ['grid', 'the search grid'],
  ['settings', 'the saved settings'],
  ['torchlab', "the file's TorchLab record"],
])

/** a setting's name in a sentence: its label, else its key's words */
const label = (key: string): string => LABELS.get(key) ?? words(key)

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
    if (typeof path[at - 1] === 'string') return { words: label(path[at - 1] as string), where: listItem(path, at - 1) }
    const item = listItem(path, at)
    if (item) return { words: item }
  }
  return { words: label(key), where: listItem(path, at) }
}

/** "Learning rate", or "out_features of layers[2]" for a setting inside a list; "The request" when the path names none */
function settingName(path: readonly PropertyKey[]): string {
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

/** the set of settings at `path`, in a sentence: "the training settings", "layers[2] (Linear)", "the request" */
function groupName(path: readonly PropertyKey[], input: unknown): string {
  const last = path.at(-1)
  if (typeof last === 'number' && path.length > 1) {
    const item = listItem(path, path.length) ?? `item ${last + 1}`
    const kind = typeof input === 'object' && input !== null ? (input as { kind?: unknown; name?: unknown }).kind : undefined
    return typeof kind === 'string' ? `${item} (${kind.slice(0, 40)})` : item
  }
  // an argument itself: the request, or another argument by its place
  if (typeof last !== 'string') return typeof last === 'number' && last > 0 ? `the request's argument ${last + 1}` : 'the request'
  const group = GROUPS.get(last) ?? `the ${words(last).toLowerCase()} settings`
  const item = listItem(path, path.length - 1)
  return item ? `${group} of ${item}` : group
}

type SchemaDef = { type: string; shape?: Record<string, Schema>; innerType?: Schema; in?: Schema; out?: Schema; options?: readonly Schema[]; keyType?: Schema; entries?: Record<string, unknown> }
type Schema = { _zod: { def: SchemaDef } } | undefined

/** the keys an object schema takes, through the wrappers (optional, default, a preprocess) and a union's options */
function shapeOf(schema: Schema, depth = 0): Record<string, Schema> {
  const def = schema?._zod.def
  if (!def || depth > 8) return {}
  if (def.shape) return def.shape
  // a record whose keys are a list of names (a search grid's hyperparameters)
  const names = def.keyType?._zod.def.entries
  if (names) return Object.fromEntries(Object.keys(names).map((k) => [k, undefined]))
  if (def.options) return Object.assign({}, ...def.options.map((o) => shapeOf(o, depth + 1))) as Record<string, Schema>
  return shapeOf(def.innerType ?? def.out, depth + 1)
}

const plain = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '')

/**
 * The setting a student most likely meant by a key the schema does not take: the same words in
 * another spelling (learning_rate, learningRate for lr's "Learning rate"), or a slip of a letter
 * or two (epoch for epochs); a setting one level down is named by its path (optimizer.lr).
 */
function meant(key: string, shape: Record<string, Schema>): string | undefined {
  const near = (text: string): number => {
    const d = editDistance(plain(key), plain(text))
    return d <= (plain(key).length >= 5 ? 2 : 1) ? d : Infinity
  }
  const candidates = [
    ...Object.keys(shape).map((k) => ({ path: k, key: k, depth: 0 })),
    ...Object.entries(shape).flatMap(([parent, child]) => Object.keys(shapeOf(child)).map((k) => ({ path: `${parent}.${k}`, key: k, depth: 1 }))),
  ]
  const scored = candidates
    .map((c) => ({ ...c, score: Math.min(near(c.key), near(label(c.key))) }))
    .filter((c) => c.score < Infinity)
    .sort((a, b) => a.score - b.score || a.depth - b.depth)
  const best = scored[0]
  if (!best) return undefined
  const shown = LABELS.get(best.key)
  return shown && plain(shown) !== plain(best.key) ? `"${best.path}" (${shown})` : `"${best.path}"`
}

/** a key or an id a client sent, as a sentence quotes it: a long one is cut, never echoed whole */
export const shortened = (text: string): string => (text.length > 60 ? `${text.slice(0, 60)}…` : text)

/** the note for a key an older TorchLab saved that this one does not have */
export const leftOutNote = (key: string, owner: string): string => `Left out "${key.slice(0, 60)}" of ${owner}: this version of TorchLab has no such setting.`

/** keys no schema takes, by their own names, each with what the student probably meant, else with what the place takes */
function unknownKeysSentence(path: readonly PropertyKey[], keys: readonly string[], inst: unknown, input: unknown): string {
  const shape = shapeOf(inst as Schema)
  const where = groupName(path, input)
  // a list item ("layers[2]") is named as it is written, even first in a sentence
  const subject = /^\w+\[/.test(where) ? where : `${where.charAt(0).toUpperCase()}${where.slice(1)}`
  const has = /^the [^[]*s( of |$)/.test(where) ? 'have' : 'has'
  const quoted = (key: string): string => `"${shortened(key)}"`
  // the first few are named: a request of a million keys costs no more to answer than one of five
  const named = keys.slice(0, 5).map((key) => ({ key, guess: key.length <= 60 ? meant(key, shape) : undefined }))
  const guessed = named.flatMap(({ key, guess }) => (guess ? [`${subject} ${has} no setting called ${quoted(key)}; did you mean ${guess}?`] : []))
  const others = named.filter(({ guess }) => !guess).map(({ key }) => quoted(key))
  const unnamed = keys.length - named.length
  // a discriminator (a layer's kind) is not a setting to offer
  const takes = Object.keys(shape).filter((k) => shape[k]?._zod.def.type !== 'literal')
  const listing = others.length > 1 ? `${others.slice(0, -1).join(', ')} or ${others.at(-1)}` : others[0]
  const rest = others.length
    ? [`${subject} ${has} no setting called ${listing}${takes.length ? `; ${has === 'have' ? 'they are' : 'it takes'} ${takes.join(', ')}` : ''}.`]
    : []
  const more = unnamed > 0 ? [`${unnamed.toLocaleString('en-US')} more key${unnamed === 1 ? ' is' : 's are'} not settings either.`] : []
  return [...guessed, ...rest, ...more].join(' ')
}

/** a request's list of arguments (the only list a request is) that is too long or too short */
function argumentCount(bound: string, limit: number, input: unknown): string {
  const given = Array.isArray(input) ? input.length : 0
  const n = (k: number): string => (k === 0 ? 'none' : `${k}`)
  return `This operation takes ${limit === 0 ? 'no arguments' : `${bound} ${limit} argument${limit === 1 ? '' : 's'}`}; ${n(given)} ${given === 1 ? 'was' : 'were'} given.`
}

/** the sentence for one issue a schema did not word itself */
function issueSentence(issue: Issue): string {
  const name = settingName(issue.path ?? [])
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${name} is missing.`
      if (issue.expected === 'number' && typeof issue.input === 'number') return `${name} must be a finite number, not ${issue.input}.`
      return `${name} must be ${KINDS[issue.expected] ?? issue.expected}.`
    case 'too_big': {
      const list = issue.origin === 'array' || issue.origin === 'set'
      if (list && !issue.path?.length) return argumentCount('at most', Number(issue.maximum), issue.input)
      if (list) return `${name} can have at most ${count(issue.maximum)} item${issue.maximum === 1 ? '' : 's'}.`
      if (issue.origin === 'string') return `${name} can be at most ${count(issue.maximum)} characters long.`
      return issue.inclusive === false ? `${name} must be below ${count(issue.maximum)}.` : `${name} can be at most ${count(issue.maximum)}.`
    }
    case 'too_small': {
      const list = issue.origin === 'array' || issue.origin === 'set'
      if (list && !issue.path?.length) return argumentCount('at least', Number(issue.minimum), issue.input)
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
    case 'unrecognized_keys':
      return unknownKeysSentence(issue.path ?? [], issue.keys, issue.inst, issue.input)
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
  return [...new Set(error.issues.filter((issue, _, all) => !looser(issue, all)).map(issueText))]
}

/**
 * a bound another issue of the same setting tightens: an integer's own safe-integer bound beside
 * the setting's maximum said "at most 9,007,199,254,740,991" and "at most 1,000,000" at once
 */
function looser(issue: z.core.$ZodIssue, all: readonly z.core.$ZodIssue[]): boolean {
  const samePlace = (other: z.core.$ZodIssue) => other !== issue && other.path.join('.') === issue.path.join('.')
  if (issue.code === 'too_big') return all.some((o) => samePlace(o) && o.code === 'too_big' && Number(o.maximum) < Number(issue.maximum))
  if (issue.code === 'too_small') return all.some((o) => samePlace(o) && o.code === 'too_small' && Number(o.minimum) > Number(issue.minimum))
  return false
}

const names = (message: string, name: string): boolean => new RegExp(`(?<!\\w)${escaped(name)}(?!\\w)`, 'i').test(message)

/** one issue of a parse given studentSentences, as its sentence: the setting's name first where the schema's own sentence lacks it */
export function issueText(issue: z.core.$ZodIssue): string {
  // a positional argument (a path, a run's id) has no key to name it: its schema's sentence says what it is;
  // a key the schema does not take names its place itself
  if (!issue.path.some((p) => typeof p === 'string') || issue.code === 'unrecognized_keys') return issue.message
  const { words, where } = setting(issue.path)
  const full = settingName(issue.path)
  if (names(issue.message, full)) return issue.message
  // a schema's sentence names the setting but cannot know which item of a list it was
  if (where && names(issue.message, words)) return `${where}: ${issue.message}`
  return `${full}: ${issue.message}`
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

/** `value` without `keys` in its object at `path`: that object and those above it copied, nothing below them walked */
function withoutKeys(value: unknown, path: readonly PropertyKey[], keys: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null) return value
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...value }) as Record<PropertyKey, unknown>
  if (path.length === 0) {
    for (const key of keys) delete copy[key]
    return copy
  }
  const [head, ...rest] = path
  if (!Object.hasOwn(copy, head)) return value
  copy[head] = withoutKeys(copy[head], rest, keys)
  return copy
}

export type StoredValue<T> = { ok: true; value: T; notes: string[] } | { ok: false }

/**
 * A value TorchLab wrote itself (saved settings, a checkpoint's metadata) as `schema` takes it.
 * The schemas refuse keys they do not know, as a request must; here a key an older TorchLab
 * wrote and this one no longer has is left out, each with a note naming it, so the rest of the
 * entry still loads. Anything else wrong fails the whole value. `at`: where the value is kept
 * (["lastTrain"]), for the notes.
 */
export function readStored<S extends z.ZodType>(schema: S, value: unknown, at: readonly PropertyKey[]): StoredValue<z.output<S>> {
  const notes: string[] = []
  let current = value
  // each pass leaves out every unknown key it finds; a few passes cover keys found only once their object parses
  for (let pass = 0; pass < 4; pass++) {
    const result = schema.safeParse(current)
    if (result.success) return { ok: true, value: result.data, notes }
    const unknown = result.error.issues.filter((issue) => issue.code === 'unrecognized_keys')
    if (unknown.length === 0) return { ok: false }
    for (const issue of unknown) {
      const owner = groupName([...at, ...issue.path], issue.path.reduce<unknown>((v, key) => (v as Record<PropertyKey, unknown> | undefined)?.[key], current))
      current = withoutKeys(current, issue.path, issue.keys)
      notes.push(...issue.keys.map((key) => leftOutNote(key, owner)))
    }
  }
  return { ok: false }
}
