/**
 * The lecture's from-scratch linear regression, one row at a time, in torch's arithmetic:
 *
 *   y_pred = X[i] * w + b
 *   loss = (y_pred - y[i]) ** 2
 *   loss.backward()                      # PowBackward0 → SubBackward0 → AddBackward0 → MulBackward0
 *   with torch.no_grad(): w -= w.grad * lr; b -= b.grad * lr
 *   w.grad.zero_(); b.grad.zero_()
 *
 * In float32 every tensor operation rounds to float32 (a Python float such as lr is cast to
 * the tensor's dtype first), in float64 none does; so the numbers equal torch's to the last bit
 * or close to it. Pure: data and settings in, steps out.
 */
import type { ScratchDtype, ScratchRequest } from '../../../shared/learning'
import { TorchGenerator } from './torchRand'

/** the single feature and the target, as the file holds them (float64) */
export interface ScratchData {
  n: number
  x: Float64Array
  y: Float64Array
}

export interface ScratchStep {
  epoch: number
  row: number
  x: number
  y: number
  /** w and b before this row's update */
  wBefore: number
  bBefore: number
  prediction: number
  loss: number
  dw: number
  db: number
  /** after the update */
  w: number
  b: number
}

const identity = (v: number): number => v

function rounding(dtype: ScratchDtype): (v: number) => number {
  return dtype === 'float32' ? Math.fround : identity
}

/** `torch.manual_seed(seed); w = torch.rand(1); b = torch.rand(1)` in the dtype, or the given values */
export function initialWeights(request: Pick<ScratchRequest, 'init' | 'dtype'>): { w: number; b: number } {
  const r = rounding(request.dtype)
  if (request.init.kind === 'values') return { w: r(request.init.w), b: r(request.init.b) }
  const g = new TorchGenerator(request.init.seed)
  const draw = () => (request.dtype === 'float32' ? g.randFloat32(1)[0] : g.randFloat64(1)[0])
  const w = draw()
  return { w, b: draw() }
}

/** Every row of every epoch in order; stops after a step whose loss is not finite. */
export function* scratchSteps(data: ScratchData, request: ScratchRequest): Generator<ScratchStep> {
  const r = rounding(request.dtype)
  const lr = r(request.lr)
  let { w, b } = initialWeights(request)
  for (let epoch = 1; epoch <= request.epochs; epoch++) {
    for (let row = 0; row < data.n; row++) {
      const x = r(data.x[row])
      const y = r(data.y[row])
      const prediction = r(r(x * w) + b)
      const diff = r(prediction - y)
      const loss = r(diff * diff)
      // PowBackward0: grad · 2 · diff; SubBackward0 and AddBackward0 pass it on; MulBackward0 multiplies by x
      const g = r(2 * diff)
      const dw = r(g * x)
      const db = g
      const step: ScratchStep = { epoch, row, x, y, wBefore: w, bBefore: b, prediction, loss, dw, db, w: r(w - r(dw * lr)), b: r(b - r(db * lr)) }
      w = step.w
      b = step.b
      yield step
      if (!Number.isFinite(loss)) return
    }
  }
}

export interface ScratchResult {
  status: 'completed' | 'diverged'
  w: number
  b: number
  /** mean loss over each epoch's rows */
  lossHistory: number[]
}

/** The whole run, as the lecture's loop runs it. */
export function trainScratch(data: ScratchData, request: ScratchRequest): ScratchResult {
  const lossHistory: number[] = []
  let { w, b } = initialWeights(request)
  let sum = 0
  for (const step of scratchSteps(data, request)) {
    if (!Number.isFinite(step.loss)) return { status: 'diverged', w, b, lossHistory }
    w = step.w
    b = step.b
    sum += step.loss
    if (step.row === data.n - 1) {
      lossHistory.push(sum / data.n)
      sum = 0
    }
  }
  return { status: 'completed', w, b, lossHistory }
}
