/**
 * Python values as the unpickler builds them and the pickler writes them. Nothing here can
 * run: a class named by a file is only a name (ClassRef), and an object of it only data.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | ClassRef
  | PyObject
  | PyValue_Extension

/** Values a layer above the pickle machine adds (tensors, storages); opaque to the VM. */
export interface PyValue_Extension {
  readonly pyKind: string
}

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen: boolean,
  ) {}
}

export class PyDict {
  /** 'OrderedDict' when built by collections.OrderedDict */
  constructor(
    readonly entries: Map<unknown, PyValue> = new Map(),
    readonly kind: 'dict' | 'OrderedDict' = 'dict',
  ) {}
}

export class ClassRef {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualified(): string {
    return `${this.module}.${this.name}`
  }
}

/** An instance of a class the file names, recorded as data: never constructed, never called. */
export class PyObject {
  state: PyValue = null

  constructor(
    readonly cls: ClassRef,
    readonly args: PyValue[],
  ) {}
}

/** Dict keys as JS Map keys: Python ints, strings, bools and None compare by value. */
export function dictKey(value: PyValue): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value
  if (value instanceof PyTuple) return JSON.stringify(value.items.map((v) => String(dictKey(v))))
  return value
}
