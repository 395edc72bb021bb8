/**
 * The arguments of a layer, loss or optimizer as one list: each with PyTorch's keyword, its
 * default and its range. The zod schema, the CLI's `Name(arg, key=value)` text, the window's
 * inputs and the generated PyTorch code are all read from this list.
 */
import { z } from 'zod'

export interface NumberArg {
  /** the field in TorchLab's JSON */
  key: string
  /** the keyword PyTorch uses */
  torch: string
  type: 'number' | 'int'
  /** absent: the argument may be left out (a width TorchLab infers), unless required */
  default?: number
  required?: true
  /** a width TorchLab fills in from the layer before (in_features, num_features); checked when written */
  inferred?: true
  min?: number
  /** exclusive lower bound */
  above?: number
  max?: number
  /** exclusive upper bound */
  below?: number
  label: string
}

export interface BooleanArg {
  key: string
  torch: string
  type: 'boolean'
  default: boolean
  label: string
}

/** two numbers, as Adam's betas */
export interface PairArg {
  key: string
  torch: string
  type: 'pair'
  default: readonly [number, number]
  min: number
  below: number
  label: string
}

export type ArgSpec = NumberArg | BooleanArg | PairArg

type ArgSchema<A> = A extends { type: 'boolean' }
  ? z.ZodDefault<z.ZodBoolean>
  : A extends { type: 'pair' }
    ? z.ZodDefault<z.ZodTuple<[z.ZodNumber, z.ZodNumber], null>>
    : A extends { default: number }
      ? z.ZodDefault<z.ZodNumber>
      : A extends { required: true }
        ? z.ZodNumber
        : z.ZodOptional<z.ZodNumber>
export type ArgsShape<A extends readonly ArgSpec[]> = { [K in A[number] as K['key']]: ArgSchema<K> }

function numberSchema(a: NumberArg): z.ZodNumber {
  let s = z.number({ error: `${a.label} must be a number.` }).finite()
  if (a.type === 'int') s = s.int(`${a.label} must be a whole number.`)
  if (a.min !== undefined) s = s.min(a.min, `${a.label} must be at least ${a.min}.`)
  if (a.above !== undefined) s = s.gt(a.above, `${a.label} must be above ${a.above}.`)
  if (a.max !== undefined) s = s.max(a.max, `${a.label} must be at most ${a.max}.`)
  if (a.below !== undefined) s = s.lt(a.below, `${a.label} must be below ${a.below}.`)
  return s
}

export function argSchema(a: ArgSpec): z.ZodType {
  if (a.type === 'boolean') return z.boolean().default(a.default)
  if (a.type === 'pair') {
    const one = z.number().finite().min(a.min, `${a.label} must be at least ${a.min}.`).lt(a.below, `${a.label} must be below ${a.below}.`)
    return z.tuple([one, one]).default([...a.default])
  }
  if (a.default !== undefined) return numberSchema(a).default(a.default)
  return a.required ? numberSchema(a) : numberSchema(a).optional()
}

export function argsShape<const A extends readonly ArgSpec[]>(args: A): ArgsShape<A> {
  return Object.fromEntries(args.map((a) => [a.key, argSchema(a)])) as ArgsShape<A>
}

/** Python's spelling of a value, as generated code and error messages show it */
export const py = (value: unknown): string =>
  value === null || value === undefined
    ? 'None'
    : typeof value === 'boolean'
      ? value
        ? 'True'
        : 'False'
      : Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')
        ? `(${value.join(', ')})`
        : JSON.stringify(value)

/** `key=value` for the arguments that differ from PyTorch's defaults, in PyTorch's order */
export function keywordArgs(args: readonly ArgSpec[], values: Record<string, unknown>, skip: readonly string[] = []): string[] {
  return args
    .filter((a) => !skip.includes(a.key) && values[a.key] !== undefined && py(values[a.key]) !== py(a.default))
    .map((a) => `${a.torch}=${py(values[a.key])}`)
}

/**
 * A catalogue name from what a student types: PyTorch's own name in any case, with or without
 * a suffix such as "Loss", with - _ and spaces ignored, or one of the aliases (mse, ce, …).
 */
export function matchName<T extends string>(text: string, names: readonly T[], aliases: Readonly<Record<string, T>> = {}, suffix = ''): T | undefined {
  const key = text.toLowerCase().replace(/[-_\s]/g, '')
  const plain = (n: string) => n.toLowerCase()
  return names.find((n) => plain(n) === key || (suffix !== '' && plain(n) === key + suffix.toLowerCase())) ?? aliases[key]
}
