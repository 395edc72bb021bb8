/**
 * PyTorch's losses as the lab uses them: which task each one trains (and so how the target
 * is encoded and how many outputs the model needs), how a search scores it by default, where
 * a single output is cut into a class, and its arguments. Mean reduction throughout.
 */
import { z } from 'zod'
import { argsShape, keywordArgs, matchName, type ArgSpec } from './args'

export const SCORINGS = ['r2', 'neg_mean_squared_error', 'neg_mean_absolute_error', 'accuracy'] as const
export type Scoring = (typeof SCORINGS)[number]
export type LossTask = 'regression' | 'binary' | 'multiclass'

export interface LossDescriptor {
  readonly task: LossTask
  /** names a student may type on the command line, beside PyTorch's own */
  readonly aliases: readonly string[]
  readonly args: readonly ArgSpec[]
  /** binary losses: an output above this is class 1, as skorch's predict decides (its probability above 0.5) */
  readonly threshold?: number
  readonly blurb: string
}

const regression = (aliases: string[], blurb: string, args: readonly ArgSpec[] = []): LossDescriptor => ({ task: 'regression', aliases, args, blurb })

const HUBER_ARGS = [{ key: 'huberDelta', torch: 'delta', type: 'number', default: 1, above: 0, label: 'Huber delta' }] as const satisfies readonly ArgSpec[]
const SMOOTH_L1_ARGS = [{ key: 'smoothL1Beta', torch: 'beta', type: 'number', default: 1, min: 0, label: 'SmoothL1 beta' }] as const satisfies readonly ArgSpec[]

/**
 * the largest logit whose float32 sigmoid torch 1.13 rounds to exactly 0.5 (1.5·2⁻²⁴, in its
 * vector loop and its scalar tail alike): skorch's sigmoid(logit) > 0.5 says class 1 only above it
 */
const SIGMOID_HALF = 3 * 2 ** -25

export const LOSS_TABLE = {
  MSELoss: regression(['mse'], 'mean squared error'),
  L1Loss: regression(['l1', 'mae'], 'mean absolute error'),
  HuberLoss: regression(['huber'], 'squared near 0, linear beyond delta', HUBER_ARGS),
  SmoothL1Loss: regression(['smoothl1'], 'HuberLoss divided by beta', SMOOTH_L1_ARGS),
  BCEWithLogitsLoss: { task: 'binary', aliases: ['bce', 'bcewithlogits'], args: [], threshold: SIGMOID_HALF, blurb: 'two classes, from a logit' },
  BCELoss: { task: 'binary', aliases: ['bceprob'], args: [], threshold: 0.5, blurb: 'two classes, from a probability (end the model with Sigmoid)' },
  CrossEntropyLoss: { task: 'multiclass', aliases: ['crossentropy', 'ce'], args: [], blurb: 'several classes, from one logit each' },
} as const satisfies Record<string, LossDescriptor>

export type LossName = keyof typeof LOSS_TABLE
export const LOSSES = Object.keys(LOSS_TABLE) as [LossName, ...LossName[]]

/** every loss argument, as TrainConfig holds them */
export const lossArgsShape = { ...argsShape(HUBER_ARGS), ...argsShape(SMOOTH_L1_ARGS) }
export type LossArgs = { huberDelta: number; smoothL1Beta: number }
/** torch's defaults for every loss argument */
export function lossDefaults(): LossArgs {
  return z.object(lossArgsShape).parse({})
}
export interface LossSpec extends LossArgs {
  name: LossName
}

export function lossOf(name: LossName): LossDescriptor {
  return LOSS_TABLE[name]
}

export function defaultScoring(name: LossName): Scoring {
  return LOSS_TABLE[name].task === 'regression' ? 'r2' : 'accuracy'
}

/** how many outputs the model needs: one per class for CrossEntropyLoss, else one */
export function outputCount(name: LossName, classCount: number): number {
  return LOSS_TABLE[name].task === 'multiclass' ? classCount : 1
}

/** the loss a data set suggests when the student has not chosen one */
export function suggestedLoss(targetIsClassLabel: boolean): LossName {
  return targetIsClassLabel ? 'CrossEntropyLoss' : 'MSELoss'
}

/**
 * The loss once the student picks a target column: the one in place when it trains that kind of
 * column, else the suggested one. A number column is regressed (iris's CrossEntropyLoss, left in
 * place, made 39 "classes" of a file's 39 measurements), a column of a few labels is classified.
 */
export function lossForTarget(targetIsClassLabel: boolean, current: LossName): LossName {
  return (LOSS_TABLE[current].task !== 'regression') === targetIsClassLabel ? current : suggestedLoss(targetIsClassLabel)
}

export function lossCode(spec: LossSpec): string {
  return `nn.${spec.name}(${keywordArgs(LOSS_TABLE[spec.name].args, spec as unknown as Record<string, unknown>).join(', ')})`
}

/** the loss of a training config, with its arguments */
export function lossSpecOf(train: { loss: LossName } & LossArgs): LossSpec {
  return { name: train.loss, huberDelta: train.huberDelta, smoothL1Beta: train.smoothL1Beta }
}

const LOSS_ALIASES: Record<string, LossName> = Object.fromEntries(LOSSES.flatMap((name) => LOSS_TABLE[name].aliases.map((a) => [a, name])))

/** mse, l1, huber, smoothl1, bce, ce, … or PyTorch's names */
export function findLoss(text: string): LossName | undefined {
  return matchName(text, LOSSES, LOSS_ALIASES, 'Loss')
}
