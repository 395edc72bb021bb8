/**
 * What a .pth file means for the lab: a bare state_dict (the course's way), a general
 * checkpoint ({epoch, model_state_dict, optimizer_state_dict, loss, …}), or a whole pickled
 * module whose parameters are recovered structurally, as Netron does.
 */
import type { Budget } from './budget'
import { badFile } from './errors'
import { forEachValue, type PthContents } from './readPth'
import { PyDict, PyObject, PySet, PyTuple, type PyValue } from './pickle/values'
import { Tensor } from './tensor'

export type CheckpointKind = 'state_dict' | 'checkpoint' | 'module'

export interface NamedTorchTensor {
  name: string
  tensor: Tensor
}

export interface Interpreted {
  kind: CheckpointKind
  tensors: NamedTorchTensor[]
  /** class names of a pickled module, outermost first */
  classNames: string[]
  epoch?: number
  loss?: number
  optimizer?: PyDict
  /** TorchLab's own metadata in checkpoints it wrote, as plain JSON */
  torchlab?: unknown
  /** the other top-level keys of a checkpoint */
  otherKeys: string[]
}

function isStateDict(value: PyValue): value is PyDict {
  return value instanceof PyDict && value.entries.size > 0 && [...value.entries].every(([k, v]) => typeof k === 'string' && v instanceof Tensor)
}

function tensorsOf(dict: PyDict): NamedTorchTensor[] {
  return [...dict.entries].map(([name, tensor]) => ({ name: String(name), tensor: tensor as Tensor }))
}

function attr(obj: PyObject, name: string): PyValue | undefined {
  return obj.state instanceof PyDict ? obj.state.entries.get(name) : undefined
}

/**
 * module.state_dict() without running the module: _parameters and _buffers of every submodule.
 * Iterative; a module shared under several names is listed under each, as torch lists it, and
 * every visit is paid from the budget, so a file that shares modules exponentially is refused.
 */
function moduleStateDict(root: PyObject, classNames: string[], budget: Budget): NamedTorchTensor[] {
  const out: NamedTorchTensor[] = []
  const stack: [PyObject, string, number][] = [[root, '', 0]]
  while (stack.length) {
    const [module, prefix, depth] = stack.pop()!
    if (depth > 100) throw badFile('The pickled module nests more than 100 submodules deep.')
    budget.spend('expandedValues', 1)
    classNames.push(module.cls.qualified)
    for (const field of ['_parameters', '_buffers']) {
      const dict = attr(module, field)
      if (!(dict instanceof PyDict)) continue
      for (const [name, value] of dict.entries) {
        if (!(value instanceof Tensor)) continue
        budget.spend('expandedValues', 1)
        out.push({ name: `${prefix}${String(name)}`, tensor: value })
      }
    }
    const children = attr(module, '_modules')
    if (!(children instanceof PyDict)) continue
    // pushed in reverse so that submodules come out in their own order, as torch lists them
    const subs = [...children.entries].filter((e): e is [unknown, PyObject] => e[1] instanceof PyObject)
    for (let i = subs.length - 1; i >= 0; i--) stack.push([subs[i][1], `${prefix}${String(subs[i][0])}.`, depth + 1])
  }
  return out
}

/** an own property even for "__proto__", which plain assignment would turn into a prototype */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function leafJson(value: PyValue): unknown {
  if (value instanceof Tensor) return { tensor: value.dtype, shape: value.shape }
  if (typeof value === 'bigint') return Number(value)
  if (value instanceof Uint8Array) return `<${value.length} bytes>`
  if (value instanceof PyObject) return `<${value.cls.qualified} object>`
  if (value !== null && typeof value === 'object') return `<${'pyKind' in value ? String(value.pyKind) : 'value'}>`
  return value
}

/**
 * Python values as JSON, for TorchLab's metadata and for printing. JSON has no sharing, so
 * every value written out is paid from the budget: a shared or cyclic structure stops there.
 */
export function toJson(root: PyValue, budget: Budget): unknown {
  const result: { value?: unknown } = {}
  const stack: [PyValue, (v: unknown) => void][] = [[root, (v) => (result.value = v)]]
  while (stack.length) {
    const [value, put] = stack.pop()!
    budget.spend('expandedValues', 1)
    if (value instanceof PyDict) {
      const out: Record<string, unknown> = {}
      put(out)
      for (const [k, v] of value.entries) stack.push([v, (json) => setOwn(out, String(k), json)])
    } else if (Array.isArray(value) || value instanceof PyTuple || value instanceof PySet) {
      const items = Array.isArray(value) ? value : value.items
      const out = new Array<unknown>(items.length)
      put(out)
      items.forEach((item, i) => stack.push([item, (json) => (out[i] = json)]))
    } else {
      put(leafJson(value))
    }
  }
  return result.value
}

export function interpret(contents: PthContents): Interpreted {
  const { value, budget } = contents
  if (value instanceof PyObject) {
    const classNames: string[] = []
    const tensors = moduleStateDict(value, classNames, budget)
    if (tensors.length === 0) throw badFile(`The file holds a ${value.cls.qualified} object with no parameters TorchLab can find.`)
    return { kind: 'module', tensors, classNames: [...new Set(classNames)], otherKeys: [] }
  }
  if (isStateDict(value)) return { kind: 'state_dict', tensors: tensorsOf(value), classNames: [], otherKeys: [] }
  if (value instanceof PyDict) {
    const entries = value.entries
    const model = entries.get('model_state_dict') ?? entries.get('state_dict') ?? entries.get('model')
    let tensors: NamedTorchTensor[] | undefined
    const classNames: string[] = []
    if (isStateDict(model as PyValue)) tensors = tensorsOf(model as PyDict)
    else if (model instanceof PyObject) tensors = moduleStateDict(model, classNames, budget)
    if (tensors) {
      const epoch = entries.get('epoch')
      const loss = entries.get('loss')
      const optimizer = entries.get('optimizer_state_dict') ?? entries.get('optimizer')
      return {
        kind: 'checkpoint',
        tensors,
        classNames,
        epoch: typeof epoch === 'number' ? epoch : undefined,
        loss: typeof loss === 'number' ? loss : loss instanceof Tensor && loss.numel === 1 ? Number(loss.data[0]) : undefined,
        optimizer: optimizer instanceof PyDict ? optimizer : undefined,
        torchlab: entries.has('torchlab') ? toJson(entries.get('torchlab')!, budget) : undefined,
        otherKeys: [...entries.keys()].map(String).filter((k) => !['model_state_dict', 'state_dict', 'model', 'optimizer_state_dict', 'optimizer', 'epoch', 'loss', 'torchlab'].includes(k)),
      }
    }
  }
  let count = 0
  forEachValue(value, (v) => {
    if (v instanceof Tensor) count++
  })
  throw badFile(
    count > 0
      ? `TorchLab could not find model weights in this file: it holds ${count} tensor(s), but not as a state_dict or a checkpoint with "model_state_dict".`
      : 'This file holds no tensors, so there are no model weights to open.',
  )
}
