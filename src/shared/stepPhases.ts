/**
 * How the window pages through a StepTrace: the phases of one step in the order the lecture's
 * loop runs them, and what each phase shows (the PyTorch line, the formula with its numbers,
 * the values it changes). Pure, so the panel only draws what this returns.
 */
import { assertNever } from './exhaustive'
import type { LossSpec } from './catalog/losses'
import type { OptimizerSpec } from './catalog/optimizers'
import type { StepRecord, StepTrace } from './learning'
import type { StateDictJson } from './schemas'
import { shownNumber } from './shownNumber'

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

const num = shownNumber
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])
const tensor = (v: unknown): string => {
  const values = flat(v)
  const shown = values.slice(0, 8).map(num).join(', ')
  return `[${shown}${values.length > 8 ? `, … (${values.length} values)` : ''}]`
}
const paren = (v: number): string => (v < 0 ? `(${num(v)})` : num(v))
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

/** the terms of a sum a student can follow: the first few rows, then how many there are */
const SHOWN_TERMS = 4
function sumOf(n: number, term: (i: number) => string): string {
  const shown = Array.from({ length: Math.min(n, SHOWN_TERMS) }, (_, i) => term(i)).join(' + ')
  return n > SHOWN_TERMS ? `${shown} + … (${n} terms)` : shown
}

/** the loss of the batch as torch computes it (mean over the batch), with the batch's outputs and targets, ending in the recorded loss */
export function lossFormula(loss: LossSpec, step: StepRecord): string {
  const y = step.targets
  const n = y.length
  const width = step.outputs.length / n
  const out = (i: number): number => step.outputs[i * width]
  const mean = (rule: string, term: (i: number) => string, sign = '', where = ''): string => `L = ${rule} = ${sign}(${sumOf(n, term)}) / ${n} = ${num(step.loss)}${where && `, where ${where}`}`
  const binary = (p: (i: number) => string) => (i: number) => (y[i] === 1 ? `log ${p(i)}` : y[i] === 0 ? `log(1 − ${p(i)})` : `${num(y[i])}·log ${p(i)} + ${num(1 - y[i])}·log(1 − ${p(i)})`)
  switch (loss.name) {
    case 'MSELoss':
      return mean('mean((ŷ − y)²)', (i) => `(${num(out(i))} − ${paren(y[i])})²`)
    case 'L1Loss':
      return mean('mean(|ŷ − y|)', (i) => `|${num(out(i))} − ${paren(y[i])}|`)
    case 'HuberLoss':
      return mean('mean(huber(ŷ − y))', (i) => `huber(${num(out(i))} − ${paren(y[i])})`, '', `huber(d) = ½d² if |d| < δ else δ·(|d| − ½δ), δ = ${num(loss.huberDelta)}`)
    case 'SmoothL1Loss':
      return mean('mean(smooth_l1(ŷ − y))', (i) => `smooth_l1(${num(out(i))} − ${paren(y[i])})`, '', `smooth_l1(d) = ½d²/β if |d| < β else |d| − ½β, β = ${num(loss.smoothL1Beta)}`)
    case 'BCEWithLogitsLoss':
      return mean('−mean(y·log σ(ŷ) + (1 − y)·log(1 − σ(ŷ)))', binary((i) => `σ(${num(out(i))})`), '−')
    case 'BCELoss':
      return mean('−mean(y·log ŷ + (1 − y)·log(1 − ŷ))', binary((i) => paren(out(i))), '−')
    case 'CrossEntropyLoss':
      return mean('mean(−log softmax(ŷ)[y])', (i) => `−log softmax([${step.outputs.slice(i * width, (i + 1) * width).map(num).join(', ')}])[${y[i]}]`)
    default:
      return assertNever(loss.name)
  }
}

/** how torch.optim moves a parameter, in the lecture's notation */
function optimizerRule(o: OptimizerSpec): string {
  const decay = o.weightDecay > 0 ? ` (weight_decay first adds ${num(o.weightDecay)}·p to the gradient)` : ''
  switch (o.name) {
    case 'SGD':
      return o.momentum > 0
        ? `SGD with momentum ${num(o.momentum)}: buf ← ${num(o.momentum)}·buf + ${o.dampening > 0 ? `${num(1 - o.dampening)}·` : ''}p.grad (buf = p.grad at the first step), p ← p − lr·${o.nesterov ? `(p.grad + ${num(o.momentum)}·buf)` : 'buf'}${decay}`
        : `SGD: p ← p − lr·p.grad${decay}`
    case 'Adam':
    case 'AdamW':
      return `${o.name}: p ← p − lr·m̂ / (√v̂ + eps), m̂ and v̂ the bias-corrected running means of p.grad and p.grad²${o.amsgrad ? ' (v̂ never shrinks: amsgrad)' : ''}${o.name === 'AdamW' ? ` (and p shrinks by lr·${num(o.weightDecay)}·p first)` : decay}`
    case 'RMSprop':
      return `RMSprop: v ← ${num(o.alpha)}·v + ${num(1 - o.alpha)}·p.grad², p ← p − lr·p.grad / (√v + eps)${o.centered ? ' (centered: v less the squared running mean of p.grad)' : ''}${o.momentum > 0 ? ` through a momentum buffer of ${num(o.momentum)}` : ''}${decay}`
    case 'Adagrad':
      return `Adagrad: sum ← sum + p.grad², p ← p − lr·p.grad / (√sum + eps)${o.lrDecay > 0 ? `, lr divided by 1 + (step − 1)·${num(o.lrDecay)}` : ''}${decay}`
    default:
      return assertNever(o)
  }
}

/**
 * optimizer.step() on each parameter (its first value where it has several): plain SGD with the
 * numbers of its rule; any other optimizer, lr × gradient beside the move its rule made.
 */
export function updateFormulas(optimizer: OptimizerSpec, step: StepRecord, before: StateDictJson): string[] {
  const plain = optimizer.name === 'SGD' && optimizer.momentum === 0
  const { lr, weightDecay } = optimizer
  const lines = Object.entries(step.grads).map(([name, grad]) => {
    const g = flat(grad)
    const [p0, p1, g0] = [flat(before[name])[0], flat(step.params[name])[0], g[0]]
    const at = g.length > 1 ? `${name}[0]` : name
    const of = g.length > 1 ? `  (the first of its ${g.length} values)` : ''
    if (plain) {
      const rule = weightDecay > 0 ? `${at} − lr·(${at}.grad + ${num(weightDecay)}·${at}) = ${num(p0)} − ${num(lr)}·(${num(g0)} + ${num(weightDecay)}·${paren(p0)})` : `${at} − lr·${at}.grad = ${num(p0)} − ${num(lr)}·${paren(g0)}`
      return `${at} ← ${rule} = ${num(p1)}${of}`
    }
    return `${at}: lr·grad = ${num(lr)}·${paren(g0)} = ${num(lr * g0)}; the step moved it ${num(p0)} → ${num(p1)} (by ${num(p1 - p0)})${of}`
  })
  return [optimizerRule(optimizer), ...lines]
}

function moduleView(trace: Extract<StepTrace, { kind: 'module' }>, step: StepRecord, before: StateDictJson, phase: ModulePhase): PhaseView {
  switch (phase) {
    case 'zero_grad':
      return { phase, code: 'optimizer.zero_grad()', formulas: ['every .grad is set to zero (None in torch ≥ 2.0), so this batch’s gradients do not add to the last one’s'], values: dict(zeros(step.grads), '', '.grad') }
    case 'forward':
      return { phase, code: 'y_pred = model(X_batch)', formulas: [`rows ${step.indices.join(', ')} of the training set`], values: [...dict(before), { name: 'y_pred', value: tensor(step.outputs) }] }
    case 'loss':
      return { phase, code: 'loss = loss_fun(y_pred, y_batch)', formulas: [lossFormula(trace.loss, step)], values: [{ name: 'y_pred', value: tensor(step.outputs) }, { name: 'y_batch', value: tensor(step.targets) }, { name: 'loss', value: num(step.loss) }] }
    case 'backward':
      return { phase, code: 'loss.backward()', formulas: ['autograd fills every parameter’s .grad with dL/d(parameter) for this batch'], values: dict(step.grads, '', '.grad') }
    case 'step':
      return { phase, code: 'optimizer.step()', formulas: updateFormulas(trace.optimizer, step, before), values: dict(step.params) }
    default:
      return assertNever(phase)
  }
}

/** phase `p` (0-based, in phasesOf(trace.kind)) of step `index` */
export function phaseView(trace: StepTrace, index: number, p: number): PhaseView {
  const step = trace.steps[index]
  const before = paramsBefore(trace, index)
  return trace.kind === 'scratch' ? scratchView(step, before, SCRATCH_PHASES[p]) : moduleView(trace, step, before, MODULE_PHASES[p])
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
