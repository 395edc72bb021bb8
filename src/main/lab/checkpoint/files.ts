/**
 * The lab's .pth operations: open a file (read, interpret, infer its model) and save a run as
 * a bare state_dict or a general checkpoint with TorchLab's metadata.
 */
import { readFile } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import type { CheckpointInfo, TorchlabMeta } from '../../../shared/api'
import { torchlabMetaSchema } from '../../../shared/api'
import { labError, LabError } from '../../../shared/errors'
import { readStored } from '../../../shared/issueSentence'
import type { Activation, OptimizerSpec } from '../../../shared/schemas'
import type { OptimizerState } from '../engine/engine'
import { matchStateDict, type StateDict } from '../model/stateDict'
import { interpret, type Interpreted } from './contents'
import { inferModel, toFloat32StateDict, toTorchTensor } from './infer'
import { PyDict, type PyValue } from './pickle/values'
import { jsonToPy } from './pyValues'
import { readPth } from './readPth'
import { RecordSums } from './recordSums'
import type { Tensor } from './tensor'
import { restoreOptimizer, toTorchOptimizer } from './torchOptimizer'
import { codeRefusal, weightsOnlyRefusal } from './weightsOnly'
import { atomicWrite } from '../files/atomicWrite'
import { readRegularFile } from '../files/openForReading'
import type { ReadFollower } from '../files/readFollower'
import { encodePth } from './writePth'

/** Larger files would not fit a classroom machine's memory next to the app. */
export const MAX_PTH_BYTES = 2 * 1024 ** 3

export interface OpenedCheckpoint {
  info: CheckpointInfo
  contents: Interpreted
  /** what torch 1.13's torch.load(weights_only=True) would refuse in the file, or null */
  weightsOnlyRefusal: string | null
  /** the part of that refusal that names code (a global, a pickled object), or null */
  codeRefusal: string | null
}

function tensorInfo(name: string, tensor: Tensor, allValues: boolean) {
  const limit = allValues ? 10_000 : 6
  // only the values shown are converted: a tensor may hold millions
  const values = Array.from(tensor.data.subarray(0, limit) as ArrayLike<number | bigint>, Number)
  return { key: name, dtype: tensor.dtype, shape: tensor.shape, numel: tensor.numel, values }
}

function metadata(contents: Interpreted): TorchlabMeta | undefined {
  if (contents.torchlab === undefined) return undefined
  // an older TorchLab's record loads without the keys this one no longer has: they were never the student's
  const parsed = readStored(torchlabMetaSchema, contents.torchlab, ['torchlab'])
  return parsed.ok ? parsed.value : undefined
}

export function describe(path: string, format: 'zip' | 'legacy', contents: Interpreted, activations: Activation[] = [], values = false): CheckpointInfo {
  const torchlab = metadata(contents)
  let model: CheckpointInfo['model'] = null
  let modelNote: string
  if (contents.tensors.length === 0) {
    modelNote = contents.weightsNote ?? 'This file holds no model weights.'
  } else if (torchlab) {
    model = torchlab.model
    modelNote = 'The model as TorchLab saved it, activations included.'
  } else {
    try {
      model = inferModel(contents.tensors, activations)
      modelNote =
        model.kind === 'linear'
          ? 'LinearRegressionTorch: one nn.Linear named "linear", as in the course.'
          : 'An nn.Sequential of nn.Linear layers. A state_dict does not record activations: check them (ReLU unless you choose others).'
    } catch (err) {
      modelNote = err instanceof LabError ? err.message : 'TorchLab does not recognise this architecture.'
    }
  }
  const optimizerGroups = contents.optimizer?.entries.get('param_groups')
  return {
    path,
    format,
    kind: contents.kind,
    tensors: contents.tensors.map(({ name, tensor }) => tensorInfo(name, tensor, values)),
    classNames: contents.classNames,
    model,
    modelNote,
    epoch: contents.epoch,
    loss: contents.loss,
    optimizer: torchlab?.train.optimizer.name ?? (Array.isArray(optimizerGroups) ? 'torch.optim state' : undefined),
    torchlab,
    otherKeys: contents.otherKeys,
    tree: contents.tree.nodes,
    treeOmitted: contents.tree.omitted,
    stateDicts: contents.tree.stateDicts.map((s) => ({ path: s.path, tensors: s.dict.entries.size })),
    ...(contents.key !== undefined ? { key: contents.key } : {}),
  }
}

/** reads a file's bytes, telling a follower of them as they arrive if it can */
export type FileRead = (path: string, follower: ReadFollower) => Promise<Uint8Array>

/** `read` reads the file's bytes (the parse worker reads into memory it keeps, and checksums the records as they arrive) */
export async function openCheckpoint(path: string, activations: Activation[] = [], values = false, key?: string, read: FileRead = (p) => readFile(p)): Promise<OpenedCheckpoint> {
  const sums = new RecordSums()
  const bytes = await readRegularFile(path, { missing: 'file', kind: 'a .pth file' }, { files: '.pth files', bytes: MAX_PTH_BYTES }, (p) => read(p, sums))
  const pth = readPth(bytes, sums.sums)
  const contents = interpret(pth, key)
  return {
    info: describe(path, pth.format, contents, activations, values),
    contents,
    weightsOnlyRefusal: weightsOnlyRefusal(pth.trace),
    codeRefusal: codeRefusal(pth.trace),
  }
}

/** What the lab needs to start a run from a file: the weights in the model's order, and the optimizer as the file left it. */
export interface StartingPoint {
  initial: StateDict
  /** the file's optimizer state with the file's settings, which torch's load_state_dict puts in place of the run's */
  optimizer?: { spec: OptimizerSpec; state: OptimizerState }
  /** what became of the file's optimizer state, when it holds one: restored, or why not */
  optimizerNote?: string
}

export async function startingPointFromFile(
  path: string,
  shapes: readonly { name: string; shape: number[] }[],
  optimizer: OptimizerSpec,
  key?: string,
  read?: FileRead,
): Promise<StartingPoint> {
  const opened = await openCheckpoint(path, [], false, key, read)
  if (opened.contents.tensors.length === 0) throw labError('CHECKPOINT_UNSUPPORTED', `${path}: ${opened.info.modelNote}`)
  const initial = matchStateDict(toFloat32StateDict(opened.contents.tensors), shapes, path)
  const saved = opened.contents.optimizer
  if (!saved) return { initial }
  const restored = restoreOptimizer(saved, initial, optimizer, path)
  return { initial, ...(restored.spec ? { optimizer: { spec: restored.spec, state: restored.state } } : {}), optimizerNote: restored.note }
}

export interface RunToSave {
  weights: StateDict
  optimizer: OptimizerSpec
  optimizerState?: OptimizerState
  epoch: number
  loss: number | null
  meta: TorchlabMeta
}

/** a run's weights as torch's OrderedDict, and its tensors: the ones a save refuses when they are not finite */
function stateDictValue(weights: StateDict): { dict: PyDict; tensors: ReadonlySet<Tensor> } {
  const tensors = new Map<unknown, Tensor>(weights.map((t) => [t.name, toTorchTensor(t)]))
  return { dict: new PyDict(tensors, 'OrderedDict'), tensors: new Set(tensors.values()) }
}

/** `weights` are refused, while they are written, if the run diverged (NaN or ±∞): the previous file stays */
function writeValue(path: string, value: PyValue, weights: ReadonlySet<Tensor>): Promise<number> {
  return atomicWrite(path, encodePth(value, basename(path, extname(path)), weights))
}

/** torch.save(model.state_dict()): the file torch 1.13 loads with weights_only=True (no plain floats) */
export async function saveStateDict(path: string, weights: StateDict): Promise<number> {
  const { dict, tensors } = stateDictValue(weights)
  return writeValue(path, dict, tensors)
}

/** torch.save(model.state_dict()), or the tutorial's general checkpoint plus TorchLab's metadata */
export async function saveRunFile(path: string, kind: 'state_dict' | 'checkpoint', run: RunToSave): Promise<number> {
  if (!['.pth', '.pt'].includes(extname(path).toLowerCase())) {
    throw labError('INVALID_ARGUMENT', `Save PyTorch files with the .pth (or .pt) extension, not "${basename(path)}".`)
  }
  const stateDict = stateDictValue(run.weights)
  let value: PyValue = stateDict.dict
  if (kind === 'checkpoint') {
    const entries = new Map<unknown, PyValue>([
      ['epoch', run.epoch],
      ['model_state_dict', stateDict.dict],
    ])
    if (run.optimizerState) entries.set('optimizer_state_dict', toTorchOptimizer(run.optimizer, run.optimizerState, run.weights))
    entries.set('loss', run.loss)
    entries.set('torchlab', jsonToPy(run.meta))
    value = new PyDict(entries)
  }
  return writeValue(path, value, stateDict.tensors)
}
