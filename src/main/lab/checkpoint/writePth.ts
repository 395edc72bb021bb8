/**
 * Writes .pth files that torch 1.13 and 2.x load with torch.load(..., weights_only=True):
 * <name>/data.pkl (protocol 2), <name>/data/<key>, <name>/version, <name>/byteorder, as
 * torch.save lays them out. Writing them to disk is files/atomicWrite's job.
 */
import { labError } from '../../../shared/errors'
import { OP } from './pickle/opcodes'
import { Pickler } from './pickle/pickler'
import type { PyValue } from './pickle/values'
import { allFiniteBytes, DTYPES, Tensor } from './tensor'
import { writeZip, type ZipRecord } from './zip'

function storageBytes(tensor: Tensor): Uint8Array {
  const data = tensor.data
  if (tensor.dtype === 'float16' || tensor.dtype === 'bfloat16') {
    throw labError('CHECKPOINT_UNSUPPORTED', `TorchLab writes float32 and float64 tensors, not ${tensor.dtype}.`)
  }
  // typed arrays are little-endian on every machine TorchLab runs on (x86, ARM)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

/** the check of a weight's bytes as they are checksummed: a diverged run's NaN never reaches a file */
function refuseNonFinite(tensor: Tensor): ZipRecord['check'] {
  const dtype = tensor.dtype
  if (dtype !== 'float32' && dtype !== 'float64') return undefined
  return (piece) => {
    if (!allFiniteBytes(piece, dtype)) throw labError('INVALID_ARGUMENT', 'These weights hold NaN or infinite values (the run diverged); TorchLab will not save them.')
  }
}

/**
 * The pickle and storage records of a value, tensors written as torch._utils._rebuild_tensor_v2
 * calls. The tensors in `finite` are refused, while the file is written, if they hold NaN or ±∞.
 */
export function encodePth(value: PyValue, archiveName: string, finite: ReadonlySet<Tensor> = new Set()): Iterable<Uint8Array> {
  const storages: ZipRecord[] = []
  const keys = new Map<Tensor, string>()
  const pickler = new Pickler({
    extension(v, p) {
      if (!(v instanceof Tensor)) return false
      let key = keys.get(v)
      if (key === undefined) {
        key = String(storages.length)
        keys.set(v, key)
        storages.push({ name: key, data: storageBytes(v), check: finite.has(v) ? refuseNonFinite(v) : undefined })
      }
      writeTensor(p, v, key)
      return true
    },
  })
  const pkl = pickler.dump(value)
  const name = archiveName.replace(/[^\w.-]/g, '_') || 'archive'
  const records: ZipRecord[] = [
    { name: `${name}/data.pkl`, data: pkl },
    { name: `${name}/byteorder`, data: new TextEncoder().encode('little') },
    ...storages.map((storage) => ({ ...storage, name: `${name}/data/${storage.name}` })),
    { name: `${name}/version`, data: new TextEncoder().encode('3\n') },
  ]
  return writeZip(records)
}

/** _rebuild_tensor_v2(persistent storage, offset, size, stride, requires_grad, OrderedDict()), as torch writes it */
function writeTensor(p: Pickler, tensor: Tensor, key: string): void {
  const strides = tensor.shape.map((_, i) => tensor.shape.slice(i + 1).reduce((a, b) => a * b, 1))
  p.global('torch._utils', '_rebuild_tensor_v2')
  p.op(OP.MARK) // the call's arguments
  p.op(OP.MARK) // the persistent id
  p.string('storage')
  p.global('torch', DTYPES[tensor.dtype].storage)
  p.string(key)
  p.string('cpu')
  p.int(tensor.numel)
  p.op(OP.TUPLE)
  p.op(OP.BINPERSID)
  p.int(0)
  p.tuple(tensor.shape)
  p.tuple(strides)
  p.value(false)
  p.orderedDict([])
  p.op(OP.TUPLE)
  p.op(OP.REDUCE)
}
