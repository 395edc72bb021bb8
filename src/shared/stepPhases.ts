/**
 * How the window pages through a StepTrace: the phases of one step in the order the lecture's
 * loop runs them, and what each phase shows (the PyTorch line, the formula with its numbers,
 * the values it changes). Pure, so the panel only draws what this returns.
 */
import { assertNever } from './exhaustive'
import type { StepRecord, StepTrace } from './learning'
import type { StateDictJson } from './schemas'

/** the from-scratch loop body, in the lecture's order */
export const SCRATCH_PHASES = ['forward', 'loss', 'backward', 'update', 'zero_grad'] as const
/** an nn.Module loop: optimizer.zero_grad() first, optimizer.step() last */
export const MODULE_PHASES = ['zero_grad', 'forward', 'loss', 'backward', 'step'] as const
type ScratchPhase = (typeof SCRATCH_PHASES)[number]
type ModulePhase = (typeof MODULE_PHASES)[number]
export type Phase = ScratchPhase | ModulePhase

export function phasesOf(kind: StepTrace['kind']): readonly Phase[] {
  return kind === 'scratch' ? SCRATCH_PHASES : MODULE_PHASES
}

export interface PhaseValue {
  name: string
  value: string
}

export interface PhaseView {
  phase: Phase
  /** the line of PyTorch that runs in this phase */
  code: string
  /** the formula with this step's numbers, where the phase has one */
  formulas: string[]
  values: PhaseValue[]
}

const num = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v))
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])
const tensor = (v: unknown): string => {
  const values = flat(v)
  const shown = values.slice(0, 8).map(num).join(', ')
  return `[${shown}${values.length > 8 ? `, … (${values.length} values)` : ''}]`
}
const dict = (sd: StateDictJson, prefix = '', suffix = ''): PhaseValue[] => Object.entries(sd).map(([k, v]) => ({ name: `${prefix}${k}${suffix}`, value: tensor(v) }))
const zeros = (sd: StateDictJson): StateDictJson => Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, JSON.parse(JSON.stringify(v, (_, x: unknown) => (typeof x === 'number' ? 0 : x))) as StateDictJson[string]]))

/** the parameters a step starts from: the trace's initial ones, or the previous step's result */
export function paramsBefore(trace: StepTrace, index: number): StateDictJson {
  return index === 0 ? trace.initial : trace.steps[index - 1].params
}

function scratchView(step: StepRecord, before: StateDictJson, phase: ScratchPhase): PhaseView {
  const s = step.scratch!
  switch (phase) {
    case 'forward':
      return { phase, code: 'y_pred = X[i] * w + b', formulas: [s.formulas.forward], values: [{ name: 'x', value: num(s.x) }, ...dict(before), { name: 'y_pred', value: num(s.prediction) }] }
    case 'loss':
      return { phase, code: 'loss_tensor = torch.pow(y_pred - y_true[i], 2)', formulas: [s.formulas.loss], values: [{ name: 'y', value: num(s.y) }, { name: 'loss', value: num(step.loss) }] }
    case 'backward':
      return { phase, code: 'loss_tensor.backward()', formulas: [s.formulas.dw, s.formulas.db], values: dict(step.grads, '', '.grad') }
    case 'update':
      return { phase, code: 'w -= w.grad * learning_rate; b -= b.grad * learning_rate', formulas: [s.formulas.update], values: dict(step.params) }
    case 'zero_grad':
      return { phase, code: 'w.grad.zero_(); b.grad.zero_()', formulas: [s.formulas.zeroGrad], values: dict(zeros(step.grads), '', '.grad') }
    default:
      return assertNever(phase)
  }
}

function moduleView(step: StepRecord, before: StateDictJson, phase: ModulePhase): PhaseView {
  switch (phase) {
    case 'zero_grad':
      return { phase, code: 'optimizer.zero_grad()', formulas: ['every .grad is set to zero (None in torch ≥ 2.0), so this batch’s gradients do not add to the last one’s'], values: dict(zeros(step.grads), '', '.grad') }
    case 'forward':
      return { phase, code: 'y_pred = model(X_batch)', formulas: [`rows ${step.indices.join(', ')} of the training set`], values: [...dict(before), { name: 'y_pred', value: tensor(step.outputs) }] }
    case 'loss':
      return { phase, code: 'loss = loss_fn(y_pred, y_batch)', formulas: [], values: [{ name: 'loss', value: num(step.loss) }] }
    case 'backward':
      return { phase, code: 'loss.backward()', formulas: ['autograd fills every parameter’s .grad with dL/d(parameter) for this batch'], values: dict(step.grads, '', '.grad') }
    case 'step':
      return { phase, code: 'optimizer.step()', formulas: ['each parameter moves against its gradient, by the optimizer’s rule'], values: dict(step.params) }
    default:
      return assertNever(phase)
  }
}

/** phase `p` (0-based, in phasesOf(trace.kind)) of step `index` */
export function phaseView(trace: StepTrace, index: number, p: number): PhaseView {
  const step = trace.steps[index]
  const before = paramsBefore(trace, index)
  return trace.kind === 'scratch' ? scratchView(step, before, SCRATCH_PHASES[p]) : moduleView(step, before, MODULE_PHASES[p])
}

export interface EpochBatches {
  epoch: number
  batches: { batch: number; indices: number[]; loss: number }[]
  /** the mean of the batch losses, as the lecture's loop averages them */
  epochLoss: number
  /** training rows no batch of this epoch holds: what drop_last dropped */
  dropped: number[]
}

/** The trace's steps grouped by epoch; `rows` is the training set's size. */
export function epochBatches(trace: StepTrace, rows: number): EpochBatches[] {
  const epochs = new Map<number, EpochBatches['batches']>()
  for (const s of trace.steps) {
    const list = epochs.get(s.epoch) ?? []
    list.push({ batch: s.batch, indices: s.indices, loss: s.loss })
    epochs.set(s.epoch, list)
  }
  return [...epochs].map(([epoch, batches]) => {
    const seen = new Set(batches.flatMap((b) => b.indices))
    return {
      epoch,
      batches,
      epochLoss: batches.reduce((sum, b) => sum + b.loss, 0) / batches.length,
      dropped: Array.from({ length: rows }, (_, i) => i).filter((i) => !seen.has(i)),
    }
  })
}
