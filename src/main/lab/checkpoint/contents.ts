/**
 * What a .pth file means for the lab: a bare state_dict (the course's way), a general
 * checkpoint ({epoch, model_state_dict, optimizer_state_dict, loss, …}), or a whole pickled
 * module whose parameters are recovered structurally, as Netron does; or a collection of its
 * own shape, whose weights are the state_dict the student picks by its path.
 */
import { labError } from '../../../shared/errors'
import type { Budget } from './budget'
import { badFile } from './errors'
import { forEachValue, type PthContents } from './readPth'
import { PyDict, PyObject, PySet, PyTuple, type PyValue } from './pickle/values'
import { Tensor } from './tensor'
import { isStateDict, valueTree, type StateDictAt, type ValueTree } from './valueTree'

export type CheckpointKind = 'state_dict' | 'checkpoint' | 'module' | 'collection'

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
  /** everything in the file */
  tree: ValueTree
  /** the path of the state_dict the tensors come from, when the file holds several or one was chosen */
  key?: string
  /** why there are no tensors to start from, when there are none */
  weightsNote?: string
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

/** the file's own shape when it is neither a state_dict nor a checkpoint: its weights are the state_dict chosen, or its only one */
function collection(value: PyValue, tree: ValueTree, key: string | undefined): Interpreted {
  const base = { kind: 'collection' as const, classNames: [], otherKeys: [], tree }
  const only = tree.stateDicts.length === 1 ? tree.stateDicts[0] : undefined
  const chosen = key === undefined ? only : chosenStateDict(tree, key)
  if (chosen) return { ...base, tensors: tensorsOf(chosen.dict), key: chosen.path }
  let count = 0
  forEachValue(value, (v) => {
    if (v instanceof Tensor) count++
  })
  const weightsNote =
    tree.stateDicts.length > 1
      ? `This file holds ${tree.stateDicts.length} state_dicts (${tree.stateDicts.map((s) => s.path).join(', ')}): choose the one to use (lab inspect FILE --key ${tree.stateDicts[0].path}, lab train --init FILE --key ${tree.stateDicts[0].path}).`
      : count > 0
        ? `This file holds ${count} tensor(s) but no state_dict (a dict of tensors by name), so there are no model weights to start from.`
        : 'This file holds no tensors, so there are no model weights to start from.'
  return { ...base, tensors: [], weightsNote }
}

function chosenStateDict(tree: ValueTree, key: string): StateDictAt {
  const found = tree.stateDicts.find((s) => s.path === key)
  if (found) return found
  const known = tree.stateDicts.map((s) => s.path || '(the whole file)')
  throw labError(
    'INVALID_ARGUMENT',
    known.length
      ? `There is no state_dict at "${key}" in this file; its state_dicts are at ${known.join(', ')}.`
      : `There is no state_dict at "${key}": this file holds none.`,
    { key },
  )
}

/** What the file is and where its model weights are; `key` picks a state_dict by its path (models.1). */
export function interpret(contents: PthContents, key?: string): Interpreted {
  const { value, budget } = contents
  const tree = valueTree(value, budget)
  const found = interpretKnown(value, tree, budget)
  if (!found) return collection(value, tree, key)
  if (key === undefined) return found
  const chosen = chosenStateDict(tree, key)
  return { ...found, tensors: tensorsOf(chosen.dict), key: chosen.path }
}

/** a state_dict, a pickled module or a general checkpoint, as the tutorials save them */
function interpretKnown(value: PyValue, tree: ValueTree, budget: Budget): Interpreted | undefined {
  if (value instanceof PyObject) {
    const classNames: string[] = []
    const tensors = moduleStateDict(value, classNames, budget)
    if (tensors.length === 0) throw badFile(`The file holds a ${value.cls.qualified} object with no parameters TorchLab can find.`)
    return { kind: 'module', tensors, classNames: [...new Set(classNames)], otherKeys: [], tree }
  }
  if (isStateDict(value)) return { kind: 'state_dict', tensors: tensorsOf(value), classNames: [], otherKeys: [], tree }
  if (!(value instanceof PyDict)) return undefined
  const entries = value.entries
  const model = entries.get('model_state_dict') ?? entries.get('state_dict') ?? entries.get('model')
  let tensors: NamedTorchTensor[] | undefined
  const classNames: string[] = []
  if (isStateDict(model as PyValue)) tensors = tensorsOf(model as PyDict)
  else if (model instanceof PyObject) tensors = moduleStateDict(model, classNames, budget)
  if (!tensors) return undefined
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
    tree,
  }
}
