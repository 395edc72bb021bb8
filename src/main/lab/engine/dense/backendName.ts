/**
 * The backend the dense engine names for a model: what runs its products (each Linear layer's
 * three) and its optimizer's updates (each parameter's) — `wasm` when every one of them calls
 * the WebAssembly SIMD kernels, `js` when none does, `wasm+js` when some do. It is read from
 * the choices that place them, not worked out again: sizeChoice.ts's narrowProduct, which
 * KernelOps asks for each product, and the bound optimizer's own placement of each update.
 * Activations, losses and the bias's column sums are plain JavaScript for every model and are
 * not counted.
 */
import type { DenseBackendName } from '../../../../shared/api'
import { isActivation } from '../../../../shared/catalog/activations'
import { assertNever } from '../../../../shared/exhaustive'
import type { LayerSpec } from '../../../../shared/layers'
import { placeLayers } from '../../../../shared/modelSpec'
import type { ModelSpec } from '../../../../shared/schemas'
import type { DenseKernels } from './kernels'
import { narrowProduct } from './kernels/sizeChoice'
import type { ParameterUpdates } from './optimizerChoice'

/** whether a layer's products call the kernels, or [] for a layer that runs none through them */
function productsOnKernels(layer: LayerSpec, inFeatures: number): boolean[] {
  const kind = layer.kind
  if (kind === 'Linear') return [!narrowProduct(inFeatures)]
  // BatchNorm1d, Dropout and the activations are elementwise loops over their own arrays
  if (kind === 'BatchNorm1d' || kind === 'Dropout' || isActivation(kind)) return []
  return assertNever(kind, 'layer kind')
}

export function denseBackendName(kernels: DenseKernels, model: ModelSpec, updates: ParameterUpdates): DenseBackendName {
  // without SIMD the kernels are themselves the plain JavaScript loops
  if (kernels.backend === 'js') return 'js'
  const onKernels = [...placeLayers(model).flatMap((p) => productsOnKernels(p.layer, p.inFeatures)), ...updates.onKernels]
  if (onKernels.every(Boolean)) return 'wasm'
  return onKernels.some(Boolean) ? 'wasm+js' : 'js'
}
