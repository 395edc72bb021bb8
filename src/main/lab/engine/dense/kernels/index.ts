/**
 * The dense engine's kernels: WebAssembly SIMD where the runtime has it, plain JavaScript
 * otherwise, and which one runs (with why SIMD does not) for the engine's BackendInfo.
 */
import { setFlagsFromString } from 'node:v8'
import type { BackendInfo } from '../../../../../shared/api'
import { KERNELS_WASM_BASE64 } from './binary.generated'
import { checked, type DenseKernels } from './contract'
import { KernelMemory } from './memory'
import { referenceKernels } from './reference'
import { simdKernels } from './simd'
import { webAssembly } from './wasmApi'

export type { DenseKernels } from './contract'
export { F32Block, KernelMemory } from './memory'
export { KernelOptimizer, type KernelOptimizerSpec } from './optimizer'
export { kernelOps } from './ops'

export interface KernelChoice {
  kernels: DenseKernels
  unavailable: BackendInfo['unavailable']
}

let compiled: object | Error | undefined

/** compiled once per thread; an Error says why SIMD cannot run here */
function kernelModule(bytes: Uint8Array | undefined): object | Error {
  const compile = (binary: Uint8Array): object | Error => {
    // relaxed SIMD (the kernels' fused multiply-add) is on by default from V8 11.4 (Electron,
    // Node 22); Node 20's V8 has it behind this flag, read when a module compiles
    if (!webAssembly.validate(binary)) setFlagsFromString('--experimental-wasm-relaxed-simd')
    try {
      return new webAssembly.Module(binary)
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err))
    }
  }
  if (bytes) return compile(bytes)
  compiled ??= compile(Buffer.from(KERNELS_WASM_BASE64, 'base64'))
  return compiled
}

/**
 * Kernels over a fresh memory. `simd: false` asks for the JavaScript ones; `wasm` replaces
 * the built binary (tests use it to see a runtime refuse SIMD); `fused: false` keeps the SIMD
 * kernels' exact fused multiply-add in double lanes where the hardware's would do (tests hold
 * the two to the same bits).
 */
export function createKernels(options: { simd?: boolean; wasm?: Uint8Array; fused?: boolean } = {}): KernelChoice {
  const memory = new KernelMemory()
  if (options.simd === false) return { kernels: checked(referenceKernels(memory)), unavailable: [] }
  const module = kernelModule(options.wasm)
  if (!(module instanceof Error)) {
    try {
      return { kernels: checked(simdKernels(memory, module, options.fused ?? true)), unavailable: [] }
    } catch (err) {
      return fallback(memory, err instanceof Error ? err : new Error(String(err)))
    }
  }
  return fallback(memory, module)
}

function fallback(memory: KernelMemory, err: Error): KernelChoice {
  return { kernels: checked(referenceKernels(memory)), unavailable: [{ backend: 'wasm', reason: `WebAssembly SIMD kernels could not start here (${err.message}); running plain JavaScript loops.` }] }
}
