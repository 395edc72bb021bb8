/**
 * The learning lab's contract: stepping a run one batch at a time, the graph autograd builds,
 * and lessons (the file format a teacher writes, and what checking one reports). Shared by
 * the core, the CLI and the window, so a panel can drive every piece the CLI prints.
 */
import { z } from 'zod'
import {
  datasetSpecSchema,
  modelArchSchema,
  LOSSES,
  SCORINGS,
  optimizerSpecSchema,
  SEARCH_PARAMS,
  searchValueSchema,
  trainConfigSchema,
  trainRequestSchema,
  type OptimizerSpec,
  type StateDictJson,
} from './schemas'
import type { LossSpec } from './catalog/losses'
import { shownNumber } from './shownNumber'

const finite = z.number().finite()
const seed = z.number().int().min(0).max(2 ** 31 - 1)

export const SCRATCH_DTYPES = ['float32', 'float64'] as const
export type ScratchDtype = (typeof SCRATCH_DTYPES)[number]

/**
 * The lecture's from-scratch regression: `w` and `b` as plain tensors, one row at a time,
 * loss (x·w + b − y)², `w -= lr * w.grad`. Starting values are `torch.manual_seed(seed);
 * w = torch.rand(1); b = torch.rand(1)` in the chosen dtype, or given.
 */
export const scratchRequestSchema = z.strictObject({
  dataset: datasetSpecSchema,
  lr: finite.positive().default(0.001),
  epochs: z.number().int().min(1).max(100_000).default(100),
  dtype: z.enum(SCRATCH_DTYPES).default('float64'),
  init: z
    .discriminatedUnion('kind', [z.strictObject({ kind: z.literal('rand'), seed: seed.default(0) }), z.strictObject({ kind: z.literal('values'), w: finite, b: finite })])
    .default({ kind: 'rand', seed: 0 }),
})
export type ScratchRequest = z.infer<typeof scratchRequestSchema>
export type ScratchRequestInput = z.input<typeof scratchRequestSchema>

/** the most steps one request records: a panel steps a few at a time */
export const MAX_STEPS = 10_000

/** why a trace of `steps` steps stops where its run goes on: said at MAX_STEPS, where the Step view's "Let it run" stops */
export function stepCap(steps: number): string | undefined {
  return steps === MAX_STEPS ? `The step-by-step view follows a run's first ${MAX_STEPS.toLocaleString('en-US')} steps; train the run in the Train panel to see the rest.` : undefined
}

export const stepRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('module'), request: trainRequestSchema, steps: z.number().int().min(1).max(MAX_STEPS) }),
  z.strictObject({ kind: z.literal('scratch'), request: scratchRequestSchema, steps: z.number().int().min(1).max(MAX_STEPS) }),
])
export type StepRequest = z.infer<typeof stepRequestSchema>
export type StepRequestInput = z.input<typeof stepRequestSchema>

/** The from-scratch phases of one row, with the numbers and the formulas they come from. */
export interface ScratchPhases {
  x: number
  y: number
  /** forward: x·w + b */
  prediction: number
  formulas: { forward: string; loss: string; dw: string; db: string; update: string; zeroGrad: string }
}

/** One optimizer step: zero_grad → forward → loss → backward → step. */
export interface StepRecord {
  /** 1-based epoch and batch within it */
  epoch: number
  batch: number
  /** 0-based rows of the training set in this batch, in DataLoader order */
  indices: number[]
  /** model outputs for the batch before the update ([n, out] row-major) */
  outputs: number[]
  /** the batch's targets, one per row (a class index for a classifier), as the loss compares them with the outputs */
  targets: number[]
  loss: number
  /** every parameter's .grad from this batch, shaped like the parameter */
  grads: StateDictJson
  /** the parameters after the update */
  params: StateDictJson
  scratch?: ScratchPhases
}

interface TraceBase {
  initial: StateDictJson
  steps: StepRecord[]
  /** why fewer steps than asked were recorded: the run ended, or the loss stopped being finite */
  stopped?: string
}

/** an nn.Module's steps carry the loss and optimizer that made them: the step view writes their formulas with the batch's numbers */
export type StepTrace = (TraceBase & { kind: 'scratch' }) | (TraceBase & { kind: 'module'; loss: LossSpec; optimizer: OptimizerSpec })

export const graphRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('module'), request: trainRequestSchema }),
  z.strictObject({ kind: z.literal('scratch') }),
])
export type GraphRequest = z.infer<typeof graphRequestSchema>
export type GraphRequestInput = z.input<typeof graphRequestSchema>

/** A grad_fn node by torch's class name; AccumulateGrad nodes name the leaf they fill. */
export interface GradNode {
  id: string
  name: string
  leaf?: { param: string; shape: number[] }
}

/** The graph make_dot draws: edges run [from, to] from each next_function to the node that uses it, toward the loss. */
export interface AutogradGraph {
  nodes: GradNode[]
  edges: [string, string][]
}

export interface ModelGraphLayer {
  /** the module's name in the model (linear, 0, 1, …) */
  name: string
  /** how PyTorch prints it: Linear(in_features=1, out_features=1, bias=True), ReLU() */
  module: string
  /** shapes for a batch of N rows */
  inShape: (number | 'N')[]
  outShape: (number | 'N')[]
  parameters: { name: string; shape: number[] }[]
  parameterCount: number
}

export interface ModelGraph {
  layers: ModelGraphLayer[]
  parameterCount: number
  loss: string
}

export interface GraphResult {
  autograd: AutogradGraph
  /** null for the from-scratch model, which has no module */
  model: ModelGraph | null
}

// ---- lessons ----

export const LESSON_FORMAT = 1

/**
 * A thing to try: one sentence for both front doors, or one for each where the task names a
 * control ("Learning lab → Batches" in the window, "lab step --steps 16" in a terminal).
 */
const lessonTaskSchema = z.union([z.string().min(1), z.strictObject({ window: z.string().min(1), cli: z.string().min(1) })])
export type LessonTask = z.infer<typeof lessonTaskSchema>

/** a task as the window or the terminal says it */
export function taskFor(task: LessonTask, door: 'window' | 'cli'): string {
  return typeof task === 'string' ? task : task[door]
}

const runBase = { id: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'A run id is lower-case letters, digits, - or _, starting with a letter.') }
/** what a run changes in the lesson's setup: only the keys it names (no defaults, which would overwrite the setup) */
const trainOverrides = {
  model: modelArchSchema.optional(),
  train: z
    .object({
      loss: z.enum(LOSSES).optional(),
      optimizer: optimizerSpecSchema.optional(),
      epochs: trainConfigSchema.shape.epochs.optional(),
      batchSize: trainConfigSchema.shape.batchSize.optional(),
      shuffle: z.boolean().optional(),
      dropLast: z.boolean().optional(),
      seed: seed.optional(),
    })
    .strict()
    .optional(),
}

export const lessonRunSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...runBase, kind: z.literal('train'), ...trainOverrides }),
  /** train, save the state_dict to a .pth, load it back */
  z.strictObject({ ...runBase, kind: z.literal('save-load'), ...trainOverrides }),
  z.strictObject({ ...runBase, kind: z.literal('scratch'), scratch: scratchRequestSchema.omit({ dataset: true }).partial().optional() }),
  z
    .object({
      ...runBase,
      kind: z.literal('search'),
      ...trainOverrides,
      search: z
        .object({
          grid: z.partialRecord(z.enum(SEARCH_PARAMS), z.array(searchValueSchema).min(1).max(50)),
          cv: z.number().int().min(2).max(20).optional(),
          scoring: z.enum(SCORINGS).optional(),
        })
        .strict(),
    })
    .strict(),
])
export type LessonRun = z.infer<typeof lessonRunSchema>

export const lessonCheckSchema = z
  .object({
    /** what a student reads, e.g. "w is within 0.01 of −5.7225" */
    label: z.string().min(1),
    /** RUN.QUANTITY, e.g. reference.linear.weight or grid.best_params.lr */
    value: z.string().regex(/^[a-z][a-z0-9_-]*\.\S+$/, 'A check value is RUN.QUANTITY, for example reference.linear.weight.'),
    near: finite.optional(),
    within: finite.positive().optional(),
    below: finite.optional(),
    above: finite.optional(),
    equals: z.union([finite, z.string()]).optional(),
  })
  .strict()
  .refine((c) => (c.near === undefined) === (c.within === undefined), { message: 'near and within go together: "near": -5.7225, "within": 0.01.' })
  .refine((c) => [c.near, c.below, c.above, c.equals].some((v) => v !== undefined), { message: 'A check needs near/within, below, above or equals.' })
export type LessonCheck = z.infer<typeof lessonCheckSchema>

export const lessonSchema = z
  .object({
    format: z.literal(LESSON_FORMAT),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'A lesson id is lower-case letters, digits and -.'),
    title: z.string().min(1),
    /** the coding lecture it belongs to */
    lecture: z.string().min(1),
    goal: z.string().min(1),
    setup: z.strictObject({ data: datasetSpecSchema, model: modelArchSchema, train: trainConfigSchema }),
    /** the lecture's PyTorch code, one string per line */
    code: z.array(z.string()),
    tasks: z.array(lessonTaskSchema).min(1),
    runs: z.array(lessonRunSchema).min(1),
    checks: z.array(lessonCheckSchema).min(1),
  })
  .strict()
  .superRefine((lesson, ctx) => {
    const ids = lesson.runs.map((r) => r.id)
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['runs', i, 'id'], message: `The run id "${id}" is used twice.` })
    })
    lesson.checks.forEach((c, i) => {
      const run = c.value.split('.')[0]
      if (!ids.includes(run)) ctx.addIssue({ code: 'custom', path: ['checks', i, 'value'], message: `There is no run "${run}"; the runs are ${ids.join(', ')}.` })
    })
  })
export type Lesson = z.infer<typeof lessonSchema>

export interface LessonInfo {
  id: string
  title: string
  lecture: string
}

export type Quantity = number | string

/** a check's quantity as a student reads it: six significant digits (the rest of a float32 weight's float64 digits is noise); none is a dash */
export function shownQuantity(q: Quantity | null): string {
  return q === null ? '—' : typeof q === 'number' ? shownNumber(q) : q
}

export interface CheckResult {
  label: string
  value: string
  passed: boolean
  /** what the run gave; null when the run has no such quantity */
  got: Quantity | null
  /** the rule, as a student reads it: "within 0.01 of -5.7225" */
  expected: string
}

export interface LessonCheckReport {
  id: string
  title: string
  passed: boolean
  checks: CheckResult[]
  /** every quantity each run produced, by run id */
  runs: Record<string, Record<string, Quantity>>
}
