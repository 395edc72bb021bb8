/**
 * The globals a .pth file may name, as torch.load(weights_only=True) allows them, plus class
 * names of pickled modules, which are recorded as data and never constructed. Anything that
 * would run code is refused with its name.
 */
import { labError } from '../../../shared/errors'
import type { Budget } from './budget'
import { badFile } from './errors'
import type { KnownCallable } from './pickle/unpickler'
import { ClassRef, PyDict, PyObject, PySet, PyTuple, type PyValue, type PyValue_Extension } from './pickle/values'
import { dateValue } from './dateValues'
import { complexValue, defaultDict, zoneGetattr } from './stdlibValues'
import { numpyArrayRefusal, numpyDtype, numpyScalar } from './numpyValues'
import { isTensorClass, newParameter, rebuildParameter, rebuildV1, rebuildV2, tensorClassCall, unsupportedRebuild } from './rebuilds'
import { isDType, STORAGE_DTYPE, type DType } from './tensor'

export class StorageType implements PyValue_Extension {
  readonly pyKind = 'storage_type'
  constructor(readonly dtype: DType) {}
}

/** Modules whose functions and classes have no business in a checkpoint. */
const FORBIDDEN_MODULES = /^(os|posix|nt|subprocess|sys|builtins|__builtin__|shutil|socket|importlib|runpy|code|codeop|pty|webbrowser|ctypes|pickle|_pickle|marshal|types|operator|functools|io|_io|tempfile|commands|platform|multiprocessing|threading|signal|asyncio|urllib|http|requests|pdb|inspect|numpy\.testing|torch\.hub|torch\.ops|torch\.jit)(\.|$)/

// names from a file are looked up in Maps: a plain object would answer for "constructor" or "__proto__"
const TORCH_DTYPES = new Map<string, DType>([
  ['float64', 'float64'], ['double', 'float64'], ['float32', 'float32'], ['float', 'float32'], ['float16', 'float16'],
  ['half', 'float16'], ['bfloat16', 'bfloat16'], ['int64', 'int64'], ['long', 'int64'], ['int32', 'int32'], ['int', 'int32'],
  ['int16', 'int16'], ['short', 'int16'], ['int8', 'int8'], ['uint8', 'uint8'], ['bool', 'bool'],
])

/**
 * torch's other dtypes, which TorchLab holds no tensors of: a file may still name one as a value
 * (torch.load(weights_only=True) allows them), and a name is no code to refuse.
 */
const OTHER_DTYPES = new Set([
  'complex32', 'chalf', 'complex64', 'cfloat', 'complex128', 'cdouble', 'quint8', 'qint8', 'qint32', 'quint4x2', 'quint2x4',
  'uint16', 'uint32', 'uint64', 'float8_e5m2', 'float8_e4m3fn', 'float8_e5m2fnuz', 'float8_e4m3fnuz',
])

/** torch's layouts, which its sparse rebuilds name as values: a name, no code */
const LAYOUTS = new Set(['strided', 'sparse_coo', 'sparse_csr', 'sparse_csc', 'sparse_bsr', 'sparse_bsc', '_mkldnn'])

/** the sentence for tensors of a dtype TorchLab does not read, named by `name` ("of dtype torch.complex64") */
function unreadDtype(how: string, name: string): never {
  throw labError('CHECKPOINT_UNSUPPORTED', `This file holds tensors ${how} ${name}; TorchLab reads tensors of float, integer and bool dtypes only.`, { key: name })
}

function known(qualified: string, call: KnownCallable['call'], newObject?: (args: PyValue[]) => PyValue): KnownCallable {
  return { qualified, call, newObject }
}

function pairs(value: PyValue): [PyValue, PyValue][] {
  const items = Array.isArray(value) ? value : value instanceof PyTuple ? value.items : value instanceof PyDict ? [...value.entries] : []
  return items.map((p) => {
    if (Array.isArray(p) && p.length === 2) return p as [PyValue, PyValue]
    if (p instanceof PyTuple && p.items.length === 2) return p.items as [PyValue, PyValue]
    throw badFile('A dictionary in the file is malformed.')
  })
}

/** dict(pairs) and OrderedDict(pairs): the pairs set one by one, as Python sets them */
function filled(dict: PyDict, args: PyValue[], budget: Budget): PyDict {
  if (args.length > 1) throw badFile(`The pickle inside the file is malformed (it builds ${dict.kind === 'dict' ? 'a dict' : `an ${dict.kind}`} from ${args.length} arguments; Python takes one, a list of pairs).`)
  if (args.length) for (const [k, v] of pairs(args[0])) dict.set(k, v, budget)
  return dict
}

export interface GlobalContext {
  budget: Budget
}

/** Python 2 names that protocol 2 pickles use, as pickle's fix_imports maps them */
const PYTHON2_MODULES = new Map([
  ['__builtin__', 'builtins'],
  ['copy_reg', 'copyreg'],
])

/** Python's types a defaultdict names as its factory, kept as names and never called (protocol 2 writes int and str as long and unicode) */
const BUILTIN_TYPES = new Map([
  ['int', 'int'], ['long', 'int'], ['float', 'float'], ['str', 'str'], ['unicode', 'str'], ['bool', 'bool'], ['bytes', 'bytes'], ['object', 'object'],
])

/** a Python container type: called, TorchLab builds the container; named as a value (defaultdict(list)'s factory), it is a name */
class BuiltType extends ClassRef implements KnownCallable {
  constructor(
    module: string,
    name: string,
    readonly call: (args: PyValue[]) => PyValue,
  ) {
    super(module, name)
  }
}

export function resolveTorchGlobal(rawModule: string, name: string, ctx: GlobalContext): KnownCallable | PyValue {
  const module = PYTHON2_MODULES.get(rawModule) ?? rawModule
  const qualified = `${module}.${name}`
  switch (qualified) {
    case 'collections.OrderedDict':
      return known(
        qualified,
        (args) => filled(new PyDict(new Map(), 'OrderedDict'), args, ctx.budget),
        () => new PyDict(new Map(), 'OrderedDict'),
      )
    case 'torch._utils._rebuild_tensor':
      return known(qualified, (a) => rebuildV1(qualified, a, ctx))
    case 'torch._utils._rebuild_tensor_v2':
      return known(qualified, (a) => rebuildV2(qualified, a, ctx))
    case 'torch._utils._rebuild_parameter':
      return known(qualified, (a) => rebuildParameter(qualified, a, false))
    case 'torch._utils._rebuild_parameter_with_state':
      return known(qualified, (a) => rebuildParameter(qualified, a, true))
    case 'torch.nn.parameter.Parameter':
      return known(qualified, (a) => newParameter(qualified, a), (a) => newParameter(qualified, a))
    case 'torch.Size':
      return known(qualified, (a) => (a[0] instanceof PyTuple ? a[0] : new PyTuple(Array.isArray(a[0]) ? a[0] : [])))
    case 'torch.device':
      return known(qualified, (a) => String(a[0]))
    case 'torch.serialization._get_layout':
      return known(qualified, () => 'strided')
    case 'torch.storage.UntypedStorage':
    case 'torch.UntypedStorage':
      return new StorageType('uint8')
    case '_codecs.encode':
      return known(qualified, (a) => Uint8Array.from(String(a[0]), (c) => c.charCodeAt(0) & 0xff))
    case 'builtins.set':
    case 'builtins.frozenset':
      return new BuiltType(module, name, (a) => new PySet(Array.isArray(a[0]) ? a[0] : a[0] instanceof PyTuple ? a[0].items : [], name === 'frozenset'))
    case 'builtins.list':
      return new BuiltType(module, name, (a) => (Array.isArray(a[0]) ? a[0] : a[0] instanceof PyTuple ? [...a[0].items] : []))
    case 'builtins.tuple':
      return new BuiltType(module, name, (a) => new PyTuple(Array.isArray(a[0]) ? a[0] : a[0] instanceof PyTuple ? a[0].items : []))
    case 'builtins.dict':
      return new BuiltType(module, name, (a) => filled(new PyDict(), a, ctx.budget))
    case 'numpy.dtype':
      return known(qualified, numpyDtype)
    // numpy.core before numpy 2, numpy._core since
    case 'numpy.core.multiarray.scalar':
    case 'numpy._core.multiarray.scalar':
      return known(qualified, (a) => numpyScalar(qualified, a))
    case 'numpy.ndarray':
      return new ClassRef(module, name)
    case 'numpy.core.multiarray._reconstruct':
    case 'numpy._core.multiarray._reconstruct':
      return known(qualified, () => numpyArrayRefusal(qualified))
    case 'datetime.datetime':
    case 'datetime.date':
    case 'datetime.time':
    case 'datetime.timedelta':
    case 'datetime.timezone':
      return known(qualified, (a) => dateValue(qualified, a))
    case 'collections.defaultdict':
      return known(qualified, defaultDict)
    case 'builtins.complex':
      return known(qualified, complexValue)
    case 'builtins.getattr':
      return known(qualified, zoneGetattr)
    case 'copyreg._reconstructor':
      // how protocol 0/1 pickles an object: recorded as data, the class is never called
      return known(qualified, (a) => {
        if (a[0] instanceof ClassRef) return new PyObject(a[0], [])
        throw labError('CHECKPOINT_UNSAFE', 'This file asks to rebuild an object in a way TorchLab does not run.')
      })
  }
  const builtinType = module === 'builtins' ? BUILTIN_TYPES.get(name) : undefined
  if (builtinType) return new ClassRef(module, builtinType)
  const unsupported = unsupportedRebuild(module, name)
  if (unsupported) return known(qualified, unsupported)
  if (isTensorClass(module, name)) return known(qualified, () => tensorClassCall(qualified))
  const storage = module === 'torch' ? STORAGE_DTYPE.get(name) : undefined
  if (storage) return new StorageType(storage)
  // a dtype is pickled as the global itself (torch.float32)
  const dtype = module === 'torch' ? TORCH_DTYPES.get(name) : undefined
  if (dtype) return dtype
  if (module === 'torch' && (OTHER_DTYPES.has(name) || LAYOUTS.has(name))) return qualified
  if (!FORBIDDEN_MODULES.test(module) && /^[A-Z]/.test(name) && /^[A-Za-z_][\w.]*$/.test(module)) {
    // a class such as torch.nn.modules.linear.Linear or __main__.LinearRegressionTorch
    return new ClassRef(module, name)
  }
  throw labError('CHECKPOINT_UNSAFE', `This file asks to run ${qualified}; TorchLab never runs code from a file.`, { key: qualified })
}

export function storageDtype(type: PyValue): DType {
  if (type instanceof StorageType) return type.dtype
  if (typeof type === 'string' && isDType(type)) return type
  // complex and quantized storages: a real file, of tensors TorchLab has no arithmetic for
  if (type instanceof ClassRef && type.module === 'torch' && type.name.endsWith('Storage')) unreadDtype('stored as', type.qualified)
  throw badFile(`A storage in the file has an unknown type${typeof type === 'string' ? ` "${type.slice(0, 40)}"` : ''}.`)
}
