/**
 * Tensors and storages as a .pth file holds them: a storage is raw little-endian bytes of one
 * dtype; a tensor is a view (offset, shape, stride, in elements) into one. Views are
 * materialised as contiguous row-major typed arrays, bounds-checked against the storage.
 */
import type { Budget } from './budget'
import { badFile } from './errors'

export const DTYPES = {
  float64: { storage: 'DoubleStorage', size: 8 },
  float32: { storage: 'FloatStorage', size: 4 },
  float16: { storage: 'HalfStorage', size: 2 },
  bfloat16: { storage: 'BFloat16Storage', size: 2 },
  int64: { storage: 'LongStorage', size: 8 },
  int32: { storage: 'IntStorage', size: 4 },
  int16: { storage: 'ShortStorage', size: 2 },
  int8: { storage: 'CharStorage', size: 1 },
  uint8: { storage: 'ByteStorage', size: 1 },
  bool: { storage: 'BoolStorage', size: 1 },
} as const

export type DType = keyof typeof DTYPES
export type TensorData = Float64Array | Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array

/** storage class names from a file -> dtype; a Map, so "constructor" or "__proto__" is simply unknown */
export const STORAGE_DTYPE = new Map<string, DType>(Object.entries(DTYPES).map(([dtype, info]) => [info.storage, dtype as DType]))

export function isDType(name: string): name is DType {
  return Object.hasOwn(DTYPES, name)
}

/** bytes per element once decoded: float16 and bfloat16 become float32 */
function decodedSize(dtype: DType): number {
  return dtype === 'float16' || dtype === 'bfloat16' ? 4 : DTYPES[dtype].size
}

/** The bytes behind a storage are fetched lazily: the pickle names storages before their data is read. */
export class Storage {
  readonly pyKind = 'storage'
  private bytes?: Uint8Array
  private decoded?: TensorData

  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
    private readonly fetch: () => Uint8Array,
  ) {}

  data(): Uint8Array {
    if (!this.bytes) {
      const bytes = this.fetch()
      const expected = this.numel * DTYPES[this.dtype].size
      if (bytes.length < expected) {
        throw badFile(`Storage "${this.key}" is cut short: it should hold ${expected} bytes but the file has ${bytes.length}.`, this.key)
      }
      this.bytes = bytes
    }
    return this.bytes
  }

  /** all elements decoded once, for the views that are not contiguous (paid once from the budget) */
  elements(budget: Budget): TensorData {
    if (!this.decoded) {
      budget.spend('tensorBytes', this.numel * decodedSize(this.dtype))
      this.decoded = readElements(this.data().subarray(0, this.numel * DTYPES[this.dtype].size), this.dtype, this.numel)
    }
    return this.decoded
  }
}

export class Tensor {
  readonly pyKind = 'tensor'
  private values?: TensorData

  /** `data` may be a thunk: the legacy format stores the bytes after the pickle that names them */
  constructor(
    readonly dtype: DType,
    readonly shape: number[],
    data: TensorData | (() => TensorData),
  ) {
    if (typeof data === 'function') this.load = data
    else this.values = data
  }

  private load?: () => TensorData

  /** contiguous, row-major; float16/bfloat16 decoded to float32 */
  get data(): TensorData {
    this.values ??= this.load!()
    return this.values
  }

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1)
  }
}

/**
 * Whether an array has its memory to itself: true of arrays decoded out of a file, false of a
 * view into the file's bytes (a file always holds more than one storage's bytes: its headers).
 */
export function ownsMemory(data: TensorData): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
}

/** Whether every element of these float32 or float64 bytes is finite: one tight pass, no call per element. */
export function allFiniteBytes(bytes: Uint8Array, dtype: 'float32' | 'float64'): boolean {
  if (dtype === 'float32') {
    // NaN and ±∞ are the float32 values whose exponent bits are all ones
    const bits = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2)
    for (let i = 0; i < bits.length; i++) if ((bits[i] & 0x7f800000) === 0x7f800000) return false
    return true
  }
  const values = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 3)
  // x − x is 0 for every finite x and NaN for NaN and ±∞
  for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) return false
  return true
}

/**
 * An int64 as a double: exact up to 2^53, and beyond that kept to 53 bits rounded to odd. A
 * float32 made from it is then the one torch's cast of the int64 makes, rounded once: Number()
 * would round twice past 2^53 (to 53 bits, then to 24), which can land on a float32 midpoint and
 * tie the wrong way.
 */
export function int64AsDouble(v: bigint): number {
  const n = Number(v)
  if (Number.isSafeInteger(n)) return n
  const magnitude = v < 0n ? -v : v
  const shift = BigInt(magnitude.toString(2).length - 53)
  let kept = magnitude >> shift
  if (kept << shift !== magnitude) kept |= 1n
  const rounded = Number(kept) * 2 ** Number(shift)
  return v < 0n ? -rounded : rounded
}

/** a tensor's values as float32, as torch's copy_ into a float32 parameter casts them */
export function toFloat32(data: TensorData): Float32Array {
  if (data instanceof Float32Array) return data.slice()
  if (data instanceof BigInt64Array) return Float32Array.from(data, int64AsDouble)
  return Float32Array.from(data)
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024)
  if (exp === 31) return frac ? NaN : sign * Infinity
  return sign * 2 ** (exp - 15) * (1 + frac / 1024)
}

/**
 * The storage's bytes as values: torch 1.13 reads every storage as little-endian (a byteorder
 * record it does not know, and the legacy format's little_endian flag, change nothing), as a
 * typed array does on the machines TorchLab runs on. torch aligns records on 64 bytes, so a
 * tensor is usually a view of the file's own bytes, copied never; elsewhere (the legacy format)
 * one copy puts its bytes where a typed array can see them.
 */
function readElements(bytes: Uint8Array, dtype: DType, count: number): TensorData {
  const size = DTYPES[dtype].size
  const own = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes.subarray(0, count * size))
  switch (dtype) {
    case 'float64':
      return new Float64Array(own.buffer, own.byteOffset, count)
    case 'float32':
      return new Float32Array(own.buffer, own.byteOffset, count)
    case 'float16':
      return Float32Array.from(new Uint16Array(own.buffer, own.byteOffset, count), halfToFloat)
    case 'bfloat16': {
      const halves = new Uint16Array(own.buffer, own.byteOffset, count)
      const out = new Float32Array(count)
      const bits = new Uint32Array(out.buffer)
      for (let i = 0; i < count; i++) bits[i] = halves[i] << 16
      return out
    }
    case 'int64':
      return new BigInt64Array(own.buffer, own.byteOffset, count)
    case 'int32':
      return new Int32Array(own.buffer, own.byteOffset, count)
    case 'int16':
      return new Int16Array(own.buffer, own.byteOffset, count)
    case 'int8':
      return Int8Array.from(bytes.subarray(0, count))
    case 'uint8':
      return new Uint8Array(bytes.subarray(0, count))
    case 'bool':
      // torch reads any byte but 0 as True, which becomes 1 wherever a bool is cast to a number
      return Uint8Array.from(bytes.subarray(0, count), (b) => (b === 0 ? 0 : 1))
  }
}

function intList(value: unknown, what: string): number[] {
  const items = Array.isArray(value) ? value : (value as { items?: unknown[] })?.items
  if (!Array.isArray(items) || !items.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) {
    throw badFile(`A tensor in the file has a malformed ${what}.`)
  }
  return items as number[]
}

/**
 * torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...): checks that the
 * view stays inside its storage, then copies it out in row-major order when first read. All
 * tensors of one file share one budget: ten thousand views of one storage cost ten thousand
 * copies, and a stride-0 view costs its whole shape.
 */
export function rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown, budget: Budget): Tensor {
  if (!(storage instanceof Storage)) throw badFile('A tensor in the file does not point at a storage.')
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw badFile('A tensor in the file has a malformed offset.')
  const shape = intList(size, 'shape')
  const strides = intList(stride, 'stride')
  if (strides.length !== shape.length) throw badFile('A tensor in the file has a stride that does not match its shape.')
  const numel = shape.reduce((a, b) => a * b, 1)
  if (numel > 0) {
    const last = offset + shape.reduce((s, n, i) => s + (n - 1) * strides[i], 0)
    if (last >= storage.numel) {
      throw badFile(`A tensor of shape [${shape.join(', ')}] reaches past the end of its storage "${storage.key}".`, storage.key)
    }
  }
  budget.spend('tensorBytes', numel * decodedSize(storage.dtype))
  return new Tensor(storage.dtype, shape, () => materialise(storage, offset, shape, strides, budget))
}

/** row-major strides (dimensions of size 1 may have any), checked in one pass: the number of dimensions comes from the file */
function isContiguous(shape: number[], strides: number[]): boolean {
  let expected = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expected) return false
    expected *= shape[d]
  }
  return true
}

function materialise(storage: Storage, offset: number, shape: number[], strides: number[], budget: Budget): TensorData {
  const bytes = storage.data()
  const itemSize = DTYPES[storage.dtype].size
  const numel = shape.reduce((a, b) => a * b, 1)
  const contiguous = isContiguous(shape, strides)
  if (contiguous) return readElements(bytes.subarray(offset * itemSize, (offset + numel) * itemSize), storage.dtype, numel)
  // a transposed or sliced view: gather element by element from the storage, decoded once
  const all = storage.elements(budget)
  const out = new (all.constructor as new (n: number) => TensorData)(numel)
  const index = new Array<number>(shape.length).fill(0)
  for (let i = 0; i < numel; i++) {
    let src = offset
    for (let d = 0; d < shape.length; d++) src += index[d] * strides[d]
    ;(out as unknown as Record<number, unknown>)[i] = all[src]
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break
      index[d] = 0
    }
  }
  return out
}
