/**
 * What the dense engine asks of its kernels: nn.Linear's forward and backward products (in
 * torch's BLAS order, blasOrder.ts) and torch.optim's updates, over buffers of one KernelMemory.
 * Two implementations keep it to the bit: WebAssembly SIMD (simd.ts) and plain JavaScript
 * (reference.ts), the definition the SIMD one is tested against and the fallback where SIMD is
 * missing; checked() guards both.
 */
import { labError } from '../../../../../shared/errors'
import type { AdamScalars, AdamSpec, RmspropScalars, RmspropSpec, SgdScalars, SgdSpec } from '../updateRules'
import type { F32Block, KernelMemory } from './memory'

export interface DenseKernels {
  readonly backend: 'wasm' | 'js'
  readonly memory: KernelMemory
  /** y = x·Wᵀ + b: x [n, k], w [m, k] (torch's [out, in]), b [m], y [n, m] */
  linearForward(x: F32Block, w: F32Block, b: F32Block, y: F32Block, n: number, k: number, m: number): void
  /** dx = dy·W: dy [n, m], w [m, k], dx [n, k] */
  linearBackwardInput(dy: F32Block, w: F32Block, dx: F32Block, n: number, k: number, m: number): void
  /** dw = dyᵀ·x, added to what it holds when accumulate (BLAS's beta 1: each block of rows in turn); the bias's Σ_rows dy is ColumnSums' (shared/layers/columnSums.ts) */
  linearBackwardWeight(dy: F32Block, x: F32Block, dw: F32Block, n: number, k: number, m: number, accumulate: boolean): void
  /** updateRules.sgdUpdate; momentumBuffer when spec.momentum > 0, fresh on the step that creates it */
  sgd(spec: SgdSpec, scalars: SgdScalars, p: F32Block, g: F32Block, momentumBuffer: F32Block | null, fresh: boolean): void
  /** updateRules.adamUpdate (Adam or AdamW); maxExpAvgSq when amsgrad */
  adam(spec: AdamSpec, scalars: AdamScalars, p: F32Block, g: F32Block, expAvg: F32Block, expAvgSq: F32Block, maxExpAvgSq: F32Block | null): void
  /** updateRules.rmspropUpdate; gradAvg when centered, momentumBuffer when momentum > 0 */
  rmsprop(spec: RmspropSpec, scalars: RmspropScalars, p: F32Block, g: F32Block, squareAvg: F32Block, gradAvg: F32Block | null, momentumBuffer: F32Block | null): void
}

/** a buffer too small for a call's shapes, or from another memory, refused before any write */
function need(memory: KernelMemory, what: string, block: F32Block | null, length: number): void {
  if (block && block.belongsTo(memory) && block.length >= length) return
  throw labError(
    'INTERNAL',
    block
      ? `The dense engine passed ${what} a buffer of ${block.length} values where it needs ${length}${block.belongsTo(memory) ? '' : ' from its own memory'}.`
      : `The dense engine called ${what} without a buffer it needs.`,
  )
}

/**
 * Kernels that check every buffer before the raw ones run: a kernel writes through raw
 * offsets and would otherwise overwrite a neighbouring buffer. One call per buffer, so a
 * step allocates nothing.
 */
export function checked(raw: DenseKernels): DenseKernels {
  const memory = raw.memory
  return {
    backend: raw.backend,
    memory,
    linearForward(x, w, b, y, n, k, m) {
      need(memory, 'linearForward', x, n * k)
      need(memory, 'linearForward', w, m * k)
      need(memory, 'linearForward', b, m)
      need(memory, 'linearForward', y, n * m)
      raw.linearForward(x, w, b, y, n, k, m)
    },
    linearBackwardInput(dy, w, dx, n, k, m) {
      need(memory, 'linearBackwardInput', dy, n * m)
      need(memory, 'linearBackwardInput', w, m * k)
      need(memory, 'linearBackwardInput', dx, n * k)
      raw.linearBackwardInput(dy, w, dx, n, k, m)
    },
    linearBackwardWeight(dy, x, dw, n, k, m, accumulate) {
      need(memory, 'linearBackwardWeight', dy, n * m)
      need(memory, 'linearBackwardWeight', x, n * k)
      need(memory, 'linearBackwardWeight', dw, m * k)
      raw.linearBackwardWeight(dy, x, dw, n, k, m, accumulate)
    },
    sgd(spec, scalars, p, g, buf, fresh) {
      need(memory, 'sgd', p, p.length)
      need(memory, 'sgd', g, p.length)
      if (spec.momentum > 0) need(memory, 'sgd', buf, p.length)
      raw.sgd(spec, scalars, p, g, spec.momentum > 0 ? buf : null, fresh)
    },
    adam(spec, scalars, p, g, m, v, vMax) {
      need(memory, 'adam', p, p.length)
      need(memory, 'adam', g, p.length)
      need(memory, 'adam', m, p.length)
      need(memory, 'adam', v, p.length)
      if (spec.amsgrad) need(memory, 'adam', vMax, p.length)
      raw.adam(spec, scalars, p, g, m, v, spec.amsgrad ? vMax : null)
    },
    rmsprop(spec, scalars, p, g, sq, ga, buf) {
      need(memory, 'rmsprop', p, p.length)
      need(memory, 'rmsprop', g, p.length)
      need(memory, 'rmsprop', sq, p.length)
      if (spec.centered) need(memory, 'rmsprop', ga, p.length)
      if (spec.momentum > 0) need(memory, 'rmsprop', buf, p.length)
      raw.rmsprop(spec, scalars, p, g, sq, spec.centered ? ga : null, spec.momentum > 0 ? buf : null)
    },
  }
}
