/**
 * numpy's scalars, as a checkpoint holds them when a loss or a score came from numpy
 * (np.mean, sklearn's metrics): numpy.core.multiarray.scalar(numpy.dtype('f8', False, True),
 * its bytes), the dtype's byte order set by BUILD. torch.load(weights_only=False) reads them
 * through numpy; TorchLab reads the number from the bytes and calls nothing. Only numbers and
 * bools: any other dtype (objects, text, dates) is refused by name.
 */
import { labError } from '../../../shared/errors'
import { badFile } from './errors'
import { PyTuple, type PyValue, type PyValue_Extension } from './pickle/values'

/** numpy.dtype(code, align, copy); its state (version, byte order, …) is set by BUILD, as data */
export class NumpyDtype implements PyValue_Extension {
  readonly pyKind = 'numpy.dtype'
  state: PyValue = null

  constructor(readonly code: string) {}

  /** '<' little, '>' big; '|' (one byte) and '=' (the machine's, little wherever TorchLab runs) read as little */
  get littleEndian(): boolean {
    return !(this.state instanceof PyTuple && this.state.items[1] === '>')
  }
}

export function numpyDtype(args: PyValue[]): NumpyDtype {
  if (typeof args[0] !== 'string') throw badFile('A numpy value in the file names its dtype with something that is not a name.')
  return new NumpyDtype(args[0])
}

const exact = (v: bigint): number | bigint => (Number.isSafeInteger(Number(v)) ? Number(v) : v)

// looked up in a Map: a code from a file never reaches a plain object's prototype
const READERS = new Map<string, (dv: DataView, little: boolean) => PyValue>([
  ['f8', (dv, little) => dv.getFloat64(0, little)],
  ['f4', (dv, little) => dv.getFloat32(0, little)],
  ['i1', (dv) => dv.getInt8(0)],
  ['i2', (dv, little) => dv.getInt16(0, little)],
  ['i4', (dv, little) => dv.getInt32(0, little)],
  ['i8', (dv, little) => exact(dv.getBigInt64(0, little))],
  ['u1', (dv) => dv.getUint8(0)],
  ['u2', (dv, little) => dv.getUint16(0, little)],
  ['u4', (dv, little) => dv.getUint32(0, little)],
  ['u8', (dv, little) => exact(dv.getBigUint64(0, little))],
  ['b1', (dv) => dv.getUint8(0) !== 0],
])

/** the value of a numpy scalar of a number or bool dtype, read from its bytes */
export function numpyScalar(qualified: string, args: PyValue[]): PyValue {
  const [dtype, bytes] = args
  if (!(dtype instanceof NumpyDtype) || !(bytes instanceof Uint8Array)) throw badFile(`A numpy value in the file (${qualified}) is malformed.`)
  const read = READERS.get(dtype.code)
  if (!read) {
    throw labError(
      'CHECKPOINT_UNSUPPORTED',
      `This file holds a numpy value of dtype "${dtype.code.slice(0, 20)}"; TorchLab reads numpy numbers and bools only. In PyTorch, save it as a plain Python value (float(x), int(x)) instead.`,
      { key: qualified },
    )
  }
  const size = Number(dtype.code.slice(1))
  if (bytes.length !== size) throw badFile(`A numpy value in the file (${qualified}, dtype ${dtype.code}) holds ${bytes.length} bytes, not ${size}.`)
  return read(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), dtype.littleEndian)
}

/** numpy.core.multiarray._reconstruct(numpy.ndarray, …): an array, data like a scalar, which TorchLab holds no values for */
export function numpyArrayRefusal(qualified: string): never {
  throw labError(
    'CHECKPOINT_UNSUPPORTED',
    `This file holds a numpy array (built by ${qualified}); TorchLab reads numpy numbers, not arrays. In PyTorch, save it as a tensor (torch.from_numpy(a)) or a list (a.tolist()) instead.`,
    { key: qualified },
  )
}
