/**
 * torch.optim's optimizers as descriptors (tinygrad's optim.py: variants as configuration):
 * each one's arguments with torch's names and defaults, the learning rate the window and CLI
 * start from, the keys torch 1.13 writes in its param_groups, and how its state counts steps.
 * Schemas, the CLI's flags, the window's fields, checkpoint files and generated code read this.
 */
import { z } from 'zod'
import { argsShape, py, type ArgSpec } from './args'

// torch 1.13 refuses only lr < 0: at lr=0 the weights stay and the optimizer's state still moves
const LR = { key: 'lr', torch: 'lr', type: 'number', min: 0, label: 'Learning rate' } as const
const WEIGHT_DECAY = { key: 'weightDecay', torch: 'weight_decay', type: 'number', default: 0, min: 0, label: 'Weight decay' } as const
const MOMENTUM = { key: 'momentum', torch: 'momentum', type: 'number', default: 0, min: 0, label: 'Momentum' } as const
const BETAS = { key: 'betas', torch: 'betas', type: 'pair', default: [0.9, 0.999], min: 0, below: 1, label: 'Betas' } as const
const eps = (value: number) => ({ key: 'eps', torch: 'eps', type: 'number', default: value, above: 0, label: 'eps' }) as const
const lr = (value: number) => ({ ...LR, default: value }) as const
const AMSGRAD = { key: 'amsgrad', torch: 'amsgrad', type: 'boolean', default: false, label: 'amsgrad' } as const

export interface OptimizerDescriptor {
  /** arguments in torch's signature order; lr first */
  readonly args: readonly ArgSpec[]
  /** the learning rate a new run starts from: torch's default, or the course's 0.02 for SGD (torch has none) */
  readonly suggestedLr: number
  /** the keys of a torch 1.13 param_group, in torch's order ('params' follows) */
  readonly groupKeys: readonly string[]
  /** how the per-parameter state records the step: a float32 0-dim tensor, a Python int, or not at all */
  readonly step: 'tensor' | 'int' | 'none'
  /** state torch creates with the optimizer rather than at the first step */
  readonly eagerState?: 'sum'
}

const ARGS = {
  SGD: [{ ...LR, required: true }, MOMENTUM, { key: 'dampening', torch: 'dampening', type: 'number', default: 0, min: 0, label: 'Dampening' }, WEIGHT_DECAY, { key: 'nesterov', torch: 'nesterov', type: 'boolean', default: false, label: 'nesterov' }],
  Adam: [lr(0.001), BETAS, eps(1e-8), WEIGHT_DECAY, AMSGRAD],
  AdamW: [lr(0.001), BETAS, eps(1e-8), { ...WEIGHT_DECAY, default: 0.01 }, AMSGRAD],
  RMSprop: [lr(0.01), { key: 'alpha', torch: 'alpha', type: 'number', default: 0.99, min: 0, below: 1, label: 'alpha' }, eps(1e-8), WEIGHT_DECAY, MOMENTUM, { key: 'centered', torch: 'centered', type: 'boolean', default: false, label: 'centered' }],
  Adagrad: [
    lr(0.01),
    { key: 'lrDecay', torch: 'lr_decay', type: 'number', default: 0, min: 0, label: 'lr decay' },
    WEIGHT_DECAY,
    { key: 'initialAccumulatorValue', torch: 'initial_accumulator_value', type: 'number', default: 0, min: 0, label: 'initial accumulator' },
    eps(1e-10),
  ],
} as const satisfies Record<string, readonly ArgSpec[]>

export const OPTIMIZER_TABLE = {
  SGD: { args: ARGS.SGD, suggestedLr: 0.02, step: 'none', groupKeys: ['lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'maximize', 'foreach', 'differentiable'] },
  Adam: { args: ARGS.Adam, suggestedLr: 0.001, step: 'tensor', groupKeys: ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused'] },
  AdamW: { args: ARGS.AdamW, suggestedLr: 0.001, step: 'tensor', groupKeys: ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'foreach', 'maximize', 'capturable'] },
  RMSprop: { args: ARGS.RMSprop, suggestedLr: 0.01, step: 'int', groupKeys: ['lr', 'momentum', 'alpha', 'eps', 'centered', 'weight_decay', 'foreach', 'maximize', 'differentiable'] },
  Adagrad: { args: ARGS.Adagrad, suggestedLr: 0.01, step: 'tensor', eagerState: 'sum', groupKeys: ['lr', 'lr_decay', 'eps', 'weight_decay', 'initial_accumulator_value', 'foreach', 'maximize'] },
} as const satisfies Record<string, OptimizerDescriptor>

export type OptimizerName = keyof typeof OPTIMIZER_TABLE
export const OPTIMIZERS = Object.keys(OPTIMIZER_TABLE) as [OptimizerName, ...OptimizerName[]]

/** the fixed entries of a param_group: features TorchLab does not offer, at torch's defaults */
export const FIXED_GROUP_VALUES: Readonly<Record<string, boolean | null>> = {
  maximize: false,
  foreach: null,
  capturable: false,
  differentiable: false,
  fused: false,
}

// strict, as torch's constructors are: Adam(momentum=0.9) raises a TypeError rather than ignoring it
const schema = <const K extends OptimizerName>(name: K) => z.strictObject({ name: z.literal(name), ...argsShape(ARGS[name]) }, { error: (issue) => (issue.code === 'unrecognized_keys' ? optimizerArgsMessage(name, issue.keys) : undefined) })

function optimizerArgsMessage(name: OptimizerName, keys: readonly string[]): string {
  const torchName = (key: string) => Object.values(ARGS).flatMap((args): readonly ArgSpec[] => args).find((a) => a.key === key)?.torch ?? key
  const names = keys.map(torchName)
  const takes = `it takes ${ARGS[name].map((a) => a.torch).join(', ')}.`
  // maximize, foreach, …: torch has them, TorchLab trains with torch's defaults and offers no other
  const torchHas = names.filter((n) => n in FIXED_GROUP_VALUES && (OPTIMIZER_TABLE[name].groupKeys as readonly string[]).includes(n))
  const unknown = names.filter((n) => !torchHas.includes(n))
  const parts = [
    ...(unknown.length ? [`torch.optim.${name} has no ${unknown.join(', ')} (torch would raise a TypeError)`] : []),
    ...(torchHas.length ? [`TorchLab does not offer torch.optim.${name}'s ${torchHas.join(', ')} and trains with ${torchHas.map((n) => `${n}=${py(FIXED_GROUP_VALUES[n])}`).join(', ')}`] : []),
  ]
  return `${parts.join('; ')}; ${takes}`
}

export const optimizerSpecSchema = z.discriminatedUnion('name', [
  schema('SGD').refine((o) => !o.nesterov || (o.momentum > 0 && o.dampening === 0), {
    message: 'Nesterov momentum requires a momentum above 0 and zero dampening.',
  }),
  schema('Adam'),
  schema('AdamW'),
  schema('RMSprop'),
  schema('Adagrad'),
])
export type OptimizerSpec = z.output<typeof optimizerSpecSchema>

export function optimizerOf(name: OptimizerName): OptimizerDescriptor {
  return OPTIMIZER_TABLE[name]
}

const countInFloat32 = (step: number): number => Math.fround(step + 1)
const countExactly = (step: number): number => step + 1

/**
 * How the optimizer's state counts its steps: the count after `step`. A float32 tensor's
 * `step_t += 1` (torch 1.13's Adam, AdamW, Adagrad) stops moving at 2^24, a Python int does not.
 * One of two functions, never a new closure: a training loop calls it at every step.
 */
export function stepCounter(name: OptimizerName): (step: number) => number {
  return OPTIMIZER_TABLE[name].step === 'tensor' ? countInFloat32 : countExactly
}

/** does this optimizer take the argument? (momentum, weightDecay, …) */
export function hasArg(name: OptimizerName, key: string): boolean {
  return OPTIMIZER_TABLE[name].args.some((a) => a.key === key)
}

export function optimizerCode(spec: OptimizerSpec): string {
  const values = spec as unknown as Record<string, unknown>
  const args = OPTIMIZER_TABLE[spec.name].args.map((a) => `${a.torch}=${py(values[a.key])}`)
  return `torch.optim.${spec.name}(model.parameters(), ${args.join(', ')})`
}

/** a new optimizer's fields as the window and CLI start them: the suggested lr, torch's defaults */
export function optimizerStart(name: OptimizerName): OptimizerSpec {
  return optimizerSpecSchema.parse({ name, lr: OPTIMIZER_TABLE[name].suggestedLr })
}
