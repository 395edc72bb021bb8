/** The from-scratch run as a step trace: each row's phases with their numbers and formulas. */
import { stepCap, type ScratchPhases, type ScratchRequest, type StepRecord, type StepTrace } from '../../../shared/learning'
import { initialWeights, scratchSteps, type ScratchData, type ScratchStep } from './scratchRun'

const n = (v: number): string => String(Number(v.toPrecision(6)))
const paren = (v: number): string => (v < 0 ? `(${n(v)})` : n(v))

function scratchPhases(s: ScratchStep, lr: number): ScratchPhases {
  const diff = s.prediction - s.y
  return {
    x: s.x,
    y: s.y,
    prediction: s.prediction,
    formulas: {
      forward: `ŷ = x·w + b = ${n(s.x)}·${paren(s.wBefore)} + ${paren(s.bBefore)} = ${n(s.prediction)}`,
      loss: `L = (ŷ − y)² = (${n(s.prediction)} − ${paren(s.y)})² = ${n(s.loss)}`,
      dw: `dL/dw = 2·(ŷ − y)·x = 2·${paren(diff)}·${paren(s.x)} = ${n(s.dw)}`,
      db: `dL/db = 2·(ŷ − y) = 2·${paren(diff)} = ${n(s.db)}`,
      update: `w ← w − lr·dL/dw = ${n(s.wBefore)} − ${n(lr)}·${paren(s.dw)} = ${n(s.w)};  b ← b − lr·dL/db = ${n(s.bBefore)} − ${n(lr)}·${paren(s.db)} = ${n(s.b)}`,
      zeroGrad: 'w.grad.zero_(); b.grad.zero_()  (gradients add up across backward() calls otherwise)',
    },
  }
}

export function scratchTrace(data: ScratchData, request: ScratchRequest, steps: number): StepTrace {
  const { w, b } = initialWeights(request)
  const records: StepRecord[] = []
  let stopped: string | undefined
  for (const s of scratchSteps(data, request)) {
    if (records.length === steps) {
      stopped ??= stepCap(steps)
      break
    }
    records.push({
      epoch: s.epoch,
      batch: s.row + 1,
      indices: [s.row],
      outputs: [s.prediction],
      targets: [s.y],
      loss: s.loss,
      grads: { w: [s.dw], b: [s.db] },
      params: { w: [s.w], b: [s.b] },
      scratch: scratchPhases(s, request.lr),
    })
    if (!Number.isFinite(s.loss)) stopped = `The loss became ${Number.isNaN(s.loss) ? 'NaN' : 'infinite'} at epoch ${s.epoch}, row ${s.row}: try a smaller learning rate.`
  }
  if (!stopped && records.length < steps) stopped = `The run ended after ${records.length} steps (${request.epochs} epochs of ${data.n} rows).`
  return { kind: 'scratch', initial: { w: [w], b: [b] }, steps: records, ...(stopped ? { stopped } : {}) }
}
