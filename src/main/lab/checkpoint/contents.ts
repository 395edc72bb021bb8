/**
 * What a .pth file means for the lab: a bare state_dict (the course's way), a general
 * checkpoint ({epoch, model_state_dict, optimizer_state_dict, loss, …}), or a whole pickled
 * module whose parameters are recovered structurally, as Netron does.
 */
import { badFile } from './errors'
import { forEachValue, type PthContents } from './readPth'
import { PyDict, PyObject, type PyValue } from './pickle/values'
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

/** module.state_dict() without running the module: _parameters and _buffers of every submodule */
function moduleStateDict(root: PyObject, classNames: string[]): NamedTorchTensor[] {
  const out: NamedTorchTensor[] = []
  const visit = (module: PyObject, prefix: string, depth: number): void => {
    if (depth > 100) throw badFile('The pickled module nests too deeply.')
    classNames.push(module.cls.qualified)
    for (const field of ['_parameters', '_buffers']) {
      const dict = attr(module, field)
      if (!(dict instanceof PyDict)) continue
      for (const [name, value] of dict.entries) if (value instanceof Tensor) out.push({ name: `${prefix}${String(name)}`, tensor: value })
    }
    const children = attr(module, '_modules')
    if (children instanceof PyDict) {
      for (const [name, child] of children.entries) if (child instanceof PyObject) visit(child, `${prefix}${String(name)}.`, depth + 1)
    }
  }
  visit(root, '', 0)
  return out
}

/** Python values as JSON, for TorchLab's metadata and for printing. */
export function toJson(value: PyValue, depth = 0): unknown {
  if (depth > 200) throw badFile('The file nests values more deeply than any checkpoint does.')
  if (value instanceof PyDict) return Object.fromEntries([...value.entries].map(([k, v]) => [String(k), toJson(v, depth + 1)]))
  if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1))
  if (value instanceof Tensor) return { tensor: value.dtype, shape: value.shape }
  if (typeof value === 'bigint') return Number(value)
  if (value !== null && typeof value === 'object' && 'items' in value) return (value.items as PyValue[]).map((v) => toJson(v, depth + 1))
  if (value instanceof Uint8Array) return `<${value.length} bytes>`
  if (value instanceof PyObject) return `<${value.cls.qualified} object>`
  return value
}

export function interpret(contents: PthContents): Interpreted {
  const { value } = contents
  if (value instanceof PyObject) {
    const classNames: string[] = []
    const tensors = moduleStateDict(value, classNames)
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
    else if (model instanceof PyObject) tensors = moduleStateDict(model, classNames)
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
        torchlab: entries.has('torchlab') ? toJson(entries.get('torchlab')!) : undefined,
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
