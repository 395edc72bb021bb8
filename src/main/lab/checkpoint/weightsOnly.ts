/**
 * Whether torch 1.13's torch.load(weights_only=True) loads a file TorchLab has read. The
 * scripts TorchLab writes load only that way (weights_only=False would run whatever the file
 * names), so a file that torch's restricted unpickler refuses cannot be exported. The lists
 * are torch/_weights_only_unpickler.py's of torch 1.13, limited to the names TorchLab reads.
 */
import { labError, type LabError } from '../../../shared/errors'
import type { OpName } from './pickle/opcodes'
import type { PickleTrace } from './pickle/unpickler'

const OPCODES = new Set<OpName>([
  'APPEND', 'APPENDS', 'BINGET', 'BININT', 'BININT1', 'BININT2', 'BINPERSID', 'BINPUT', 'BINUNICODE', 'BUILD',
  'EMPTY_DICT', 'EMPTY_LIST', 'EMPTY_SET', 'EMPTY_TUPLE', 'GLOBAL', 'LONG1', 'LONG_BINGET', 'LONG_BINPUT', 'MARK',
  'NEWFALSE', 'NEWOBJ', 'NEWTRUE', 'NONE', 'PROTO', 'REDUCE', 'SETITEM', 'SETITEMS', 'SHORT_BINSTRING', 'STOP',
  'TUPLE', 'TUPLE1', 'TUPLE2', 'TUPLE3',
])

const STORAGES = ['Double', 'Float', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool'].map((t) => `torch.${t}Storage`)

const GLOBALS = new Set<string>([
  'collections.OrderedDict',
  'torch.nn.parameter.Parameter',
  'torch.serialization._get_layout',
  'torch.Size',
  'torch.Tensor',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  ...STORAGES,
  ...['complex32', 'complex64', 'complex128', 'float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64'].map((t) => `torch.${t}`),
])

/** BUILD is allowed on tensors, parameters and OrderedDicts only */
const BUILDS = new Set(['OrderedDict', 'tensor'])

const NUMPY_NUMBERS = 'numpy numbers (such as a loss computed with numpy)'
const DATES = 'dates and times (such as datetime.now())'
/**
 * What torch 1.13's weights_only loader refuses by name that is data, not code, and that TorchLab
 * reads as values without calling anything: such a file exports as one with plain floats does.
 */
const DATA_GLOBALS = new Map<string, string>([
  ['_codecs.encode', 'bytes, as pickle protocol 2 writes them'],
  ['numpy.dtype', NUMPY_NUMBERS],
  ['numpy.core.multiarray.scalar', NUMPY_NUMBERS],
  ['numpy._core.multiarray.scalar', NUMPY_NUMBERS],
  ...['datetime', 'date', 'time', 'timedelta', 'timezone'].map((name): [string, string] => [`datetime.${name}`, DATES]),
  // as the trace names them: protocol 2 spells builtins __builtin__
  ...['builtins', '__builtin__'].map((module): [string, string] => [`${module}.complex`, 'complex numbers']),
  ...['builtins', '__builtin__'].map((module): [string, string] => [`${module}.getattr`, 'time zones (zoneinfo.ZoneInfo)']),
  ['zoneinfo.ZoneInfo', 'time zones (zoneinfo.ZoneInfo)'],
  ['collections.defaultdict', 'a collections.defaultdict'],
  // a defaultdict's factory: a type named, never called
  ...['builtins', '__builtin__'].flatMap((module) =>
    ['int', 'long', 'float', 'str', 'unicode', 'bool', 'bytes', 'object', 'list', 'dict', 'set', 'tuple'].map((name): [string, string] => [`${module}.${name}`, "Python's types named as values (such as a defaultdict's list)"]),
  ),
])
const DATA_BUILDS = new Map([['numpy.dtype', NUMPY_NUMBERS]])

const WHY: Partial<Record<OpName, string>> = {
  BINFLOAT: 'plain Python floats (such as a loss or a learning rate)',
  FLOAT: 'plain Python floats',
  SHORT_BINUNICODE: 'pickle protocol 4 (short strings)',
  STACK_GLOBAL: 'pickle protocol 4 (names on the stack)',
  MEMOIZE: 'pickle protocol 4 (memoize)',
  FRAME: 'pickle protocol 4 (frames)',
}

/** null when torch 1.13 loads the file with weights_only=True; otherwise what it would refuse, as a phrase */
export function weightsOnlyRefusal(trace: PickleTrace): string | null {
  for (const op of trace.opcodes) if (!OPCODES.has(op)) return `${WHY[op] ?? `the pickle instruction ${op}`}`
  for (const name of trace.globals) if (DATA_GLOBALS.has(name)) return DATA_GLOBALS.get(name)!
  return codeRefusal(trace)
}

/**
 * The part of that refusal that names code (a global or a pickled object), or null. A file
 * refused only for its data (plain floats, protocol 4) can still be exported: TorchLab writes
 * its weights again as a bare state_dict that torch 1.13 loads with weights_only=True.
 */
export function codeRefusal(trace: PickleTrace): string | null {
  for (const name of trace.globals) if (!GLOBALS.has(name) && !DATA_GLOBALS.has(name)) return `the global ${name}`
  for (const kind of trace.built) if (!BUILDS.has(kind) && !DATA_BUILDS.has(kind)) return kind === 'object' ? 'a pickled object (only its class name is recorded)' : `state set on a ${kind}`
  return null
}

/** the sentence for a file the exported script could not load safely */
export function notExportable(path: string, refusal: string): LabError {
  return labError(
    'CHECKPOINT_UNSUPPORTED',
    `TorchLab's scripts load a .pth only with torch.load(weights_only=True), which never runs code from the file, and torch 1.13 refuses ${path} that way: it holds ${refusal}. ` +
      'Export a file that holds a state_dict instead (lab train --out FILE.pth without --checkpoint, or torch.save(model.state_dict(), FILE) in PyTorch).',
    { key: refusal },
  )
}
