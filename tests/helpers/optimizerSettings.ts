/**
 * Every optimizer setting the parity tests train or step: each optimizer with only lr set, and with
 * its options turned on (weight decay, momentum with dampening, Nesterov, betas, eps,
 * amsgrad, alpha, centered, lr decay, initial accumulator): every argument of every optimizer
 * away from torch's default at least once. optimizerRules.test.ts and sweep.test.ts read
 * this one list, so an option added here is checked both bit for bit and over whole runs.
 */
import { OPTIMIZER_TABLE, optimizerSpecSchema, type OptimizerSpec } from '../../src/shared/catalog/optimizers'

export const OPTIMIZER_SETTINGS: readonly Record<string, unknown>[] = [
  { name: 'SGD', lr: 0.05 },
  { name: 'SGD', lr: 0.02, weightDecay: 0.01 },
  { name: 'SGD', lr: 0.01, momentum: 0.9, dampening: 0.1, weightDecay: 0.001 },
  { name: 'SGD', lr: 0.01, momentum: 0.7, nesterov: true },
  { name: 'Adam', lr: 0.01 },
  { name: 'Adam', lr: 0.003, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.01 },
  { name: 'Adam', lr: 0.01, amsgrad: true },
  { name: 'AdamW', lr: 0.01 },
  { name: 'AdamW', lr: 0.01, betas: [0.85, 0.995], eps: 1e-7, weightDecay: 0.1, amsgrad: true },
  { name: 'RMSprop', lr: 0.003, eps: 1e-6 },
  { name: 'RMSprop', lr: 0.005, momentum: 0.3 },
  { name: 'RMSprop', lr: 0.002, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.01 },
  { name: 'Adagrad', lr: 0.05 },
  { name: 'Adagrad', lr: 0.05, lrDecay: 0.01, weightDecay: 0.02, initialAccumulatorValue: 0.1, eps: 1e-8 },
]

/** a setting as the lab holds it (torch's defaults filled in) */
export const optimizerSetting = (raw: Record<string, unknown>): OptimizerSpec => optimizerSpecSchema.parse(raw)

/** the optimizer's keyword arguments as torch names them */
export function torchOptimizerKwargs(spec: OptimizerSpec): Record<string, unknown> {
  const values = spec as unknown as Record<string, unknown>
  return Object.fromEntries(OPTIMIZER_TABLE[spec.name].args.map((a) => [a.torch, values[a.key]]))
}
