/**
 * The few WebAssembly globals the kernels use, typed here: the Node tsconfig has no DOM lib,
 * and @types/node 20 declares WebAssembly only as types.
 */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike
  grow(pages: number): number
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory
  Module: new (bytes: Uint8Array) => object
  validate(bytes: Uint8Array): boolean
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown }
}

export const webAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
