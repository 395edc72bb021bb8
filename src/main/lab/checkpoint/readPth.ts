/**
 * Reads a .pth file — PyTorch's zip format or its legacy format — into plain values and
 * tensors, executing nothing. Every tensor is materialised before this returns, so a damaged
 * file fails here with a typed error, never later.
 */
import { labError } from '../../../shared/errors'
import { Budget } from './budget'
import { badFile } from './errors'
import { Unpickler, type PickleTrace } from './pickle/unpickler'
import { MAX_NESTING, PyDict, PyObject, PySet, PyTuple, type PyValue } from './pickle/values'
import { Storage, Tensor, DTYPES } from './tensor'
import { resolveTorchGlobal, storageDtype } from './torchGlobals'
import { entryData, isZip, readZip, type KnownSums, type ZipEntry } from './zip'

export interface PthContents {
  format: 'zip' | 'legacy'
  /** the zip's top folder (torch names it after the file) */
  root?: string
  value: PyValue
  /** what the pickle used, to tell whether torch's weights_only unpickler would load it too */
  trace: PickleTrace
  /** this read's budget, which whatever walks the value afterwards keeps spending from */
  budget: Budget
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn

/** Visits every value once (shared ones too), refusing structures nested beyond MAX_NESTING. */
export function forEachValue(root: PyValue, visit: (v: PyValue) => void): void {
  const seen = new Set<object>()
  const stack: [PyValue, number][] = [[root, 0]]
  while (stack.length) {
    const [value, depth] = stack.pop()!
    if (depth > MAX_NESTING) throw badFile('The file nests values more deeply than any checkpoint does.')
    if (typeof value !== 'object' || value === null) {
      visit(value)
      continue
    }
    if (seen.has(value)) continue
    seen.add(value)
    visit(value)
    const children: PyValue[] = Array.isArray(value)
      ? value
      : value instanceof PyTuple || value instanceof PySet
        ? value.items
        : value instanceof PyDict
          ? [...value.entries.values()]
          : value instanceof PyObject
            ? [...value.args, value.state]
            : []
    for (const child of children) stack.push([child, depth + 1])
  }
}

function materialiseAll(value: PyValue): void {
  forEachValue(value, (v) => {
    if (v instanceof Tensor) void v.data
  })
}

/** ('storage', type, key, location, numel), plus view metadata in the legacy format, exactly as torch unpacks it */
function pidTuple(pid: PyValue, fields: 5 | 6): PyValue[] {
  // torch names the record data/{key}: a key pickled as an int finds it as well as a string does
  const key = pid instanceof PyTuple ? pid.items[2] : undefined
  const keyOk = typeof key === 'string' || (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0)
  if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length !== fields || !keyOk) {
    throw badFile('The file refers to its data in a way PyTorch does not write.')
  }
  const location = pid.items[3]
  if (location === 'meta') throw labError('CHECKPOINT_UNSUPPORTED', `Storage "${String(key)}" is on the meta device, which has a shape but no values; save the tensors from the CPU.`, { key: String(key) })
  // torch restores cpu, cuda and cuda:N, and mps; TorchLab reads the last two on the CPU, as map_location='cpu' does
  if (typeof location !== 'string' || !(location === 'cpu' || location === 'mps' || location.startsWith('cuda'))) {
    const said = typeof location === 'string' ? `"${location.slice(0, 40)}"` : 'a value that is no device name'
    throw badFile(`Storage "${String(key)}" says it is kept on ${said}; torch knows cpu, cuda and mps only, and refuses the file too.`, String(key))
  }
  if (fields === 6 && pid.items[5] !== null) {
    throw labError('CHECKPOINT_UNSUPPORTED', 'This legacy file shares storages between views the way PyTorch before 0.4 did; open it in PyTorch and save it again.')
  }
  return pid.items
}

function checkedCount(value: PyValue, bytesAvailable: number, itemSize: number, key: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw badFile(`Storage "${key}" declares an impossible size.`, key)
  if (value * itemSize > bytesAvailable) {
    throw badFile(`Storage "${key}" is cut short: it should hold ${value * itemSize} bytes but the file has ${bytesAvailable}.`, key)
  }
  return value
}

/** torch's reader supports the archive versions 1 to 10 (torch.save writes 3) */
const ARCHIVE_VERSIONS = { min: 1, max: 10 }

/** the version record, read as torch's reader reads it (C++ stoull: leading spaces, then digits; the rest ignored) */
function checkVersion(bytes: Uint8Array, record: ZipEntry | undefined, root: string, budget: Budget): void {
  if (!record) throw badFile(`This zip file is not a PyTorch file: it has no ${root}/version record, without which torch.load refuses it too.`)
  const text = new TextDecoder('latin1').decode(entryData(bytes, record, budget).subarray(0, 40))
  const digits = /^\s*\+?(\d+)/.exec(text)?.[1]
  const version = digits === undefined ? NaN : Number(digits)
  if (!(version >= ARCHIVE_VERSIONS.min && version <= ARCHIVE_VERSIONS.max)) {
    const shown = JSON.stringify(text.trim().slice(0, 20))
    throw labError('CHECKPOINT_UNSUPPORTED', `This file's version record says ${shown}; torch reads versions ${ARCHIVE_VERSIONS.min} to ${ARCHIVE_VERSIONS.max} of its zip format (torch.save writes 3), and so does TorchLab.`)
  }
}

/**
 * Whether the byteorder record says "big": newer torch writes the record, torch 1.13 reads past
 * it whatever it holds. A record longer than "big" and its spaces is never decoded.
 */
function isBigEndian(bytes: Uint8Array, record: ZipEntry | undefined, budget: Budget): boolean {
  if (!record || record.size > 64) return false
  return new TextDecoder().decode(entryData(bytes, record, budget)).trim() === 'big'
}

/** a zip that holds a .pth (a download or a hand-in packed as a zip), named so the student can unpack it */
function packedPth(names: string[]): string | undefined {
  return names.find((n) => /\.(pth|pt|ckpt|bin)$/i.test(n))
}

function readZipPth(bytes: Uint8Array, sums?: KnownSums): PthContents {
  const budget = Budget.forFile(bytes.length)
  const entries = readZip(bytes, sums)
  const names = [...entries.keys()]
  const roots = new Set(names.map((n) => n.split('/')[0]))
  const inner = packedPth(names)
  if (inner !== undefined && !entries.has(`${names[0].split('/')[0]}/data.pkl`)) {
    throw badFile(`This is a zip archive that holds ${inner}, not a .pth file itself: unzip it and open ${inner}.`)
  }
  if (names.length === 0 || roots.size !== 1 || names.some((n) => !n.includes('/'))) {
    throw badFile('This zip file is not a PyTorch file: its records do not share one top folder.')
  }
  const root = [...roots][0]
  if (entries.has(`${root}/constants.pkl`)) {
    throw labError('CHECKPOINT_UNSUPPORTED', 'This is a TorchScript archive (torch.jit.save), not a torch.save file; TorchLab opens torch.save files.')
  }
  checkVersion(bytes, entries.get(`${root}/.data/version`) ?? entries.get(`${root}/version`), root, budget)
  const pkl = entries.get(`${root}/data.pkl`)
  if (!pkl) throw badFile(`This zip file is not a PyTorch file: it has no ${root}/data.pkl.`)
  const bigEndian = isBigEndian(bytes, entries.get(`${root}/byteorder`), budget)
  const storages = new Map<string, Storage>()
  const unpickler = new Unpickler(entryData(bytes, pkl, budget), {
    resolveGlobal: (module, name) => resolveTorchGlobal(module, name, { budget }),
    persistentLoad: (pid) => {
      const [, type, key, , numel] = pidTuple(pid, 5)
      const dtype = storageDtype(type)
      const name = String(key)
      const existing = storages.get(name)
      if (existing) return existing
      if (bigEndian && DTYPES[dtype].size > 1) {
        throw labError(
          'CHECKPOINT_UNSUPPORTED',
          `This file's ${root}/byteorder record says its numbers are big-endian (a newer PyTorch saved it on a big-endian machine). torch 1.13 ignores that record and reads the numbers byte-swapped, into other values; TorchLab reads files as torch 1.13 does, so it refuses this one rather than give wrong weights. Load it in that newer PyTorch on an ordinary (little-endian) computer and save it again.`,
          { key: `${root}/byteorder` },
        )
      }
      const entry = entries.get(`${root}/data/${name}`)
      if (!entry) throw badFile(`The file is missing the data of storage "${name}" (${root}/data/${name}).`, name)
      const count = checkedCount(numel, entry.size, DTYPES[dtype].size, name)
      const storage = new Storage(name, dtype, count, () => entryData(bytes, entry, budget))
      storages.set(name, storage)
      return storage
    },
  }, budget)
  const value = unpickler.load()
  materialiseAll(value)
  return { format: 'zip', root, value, trace: unpickler.trace, budget }
}

function readLegacyPth(bytes: Uint8Array): PthContents {
  const budget = Budget.forFile(bytes.length)
  const storages = new Map<string, Storage>()
  const data = new Map<string, Uint8Array>()
  const hooks = {
    resolveGlobal: (module: string, name: string) => resolveTorchGlobal(module, name, { budget }),
    persistentLoad: (pid: PyValue) => {
      const [, type, key, , numel] = pidTuple(pid, 6)
      const dtype = storageDtype(type)
      const name = String(key)
      const existing = storages.get(name)
      if (existing) return existing
      const count = checkedCount(numel, bytes.length, DTYPES[dtype].size, name)
      const storage = new Storage(name, dtype, count, () => {
        const raw = data.get(name)
        if (!raw) throw badFile(`The file is missing the data of storage "${name}".`, name)
        return raw
      })
      storages.set(name, storage)
      return storage
    },
  }
  let unpickler = new Unpickler(bytes, hooks, budget)
  const trace = unpickler.trace
  const magic = unpickler.load()
  // an int, as torch compares it: the float nearest the magic number is another number to Python
  if (magic !== LEGACY_MAGIC) throw badFile('This is not a PyTorch file (its first value is not torch\'s magic number).')
  const next = (): PyValue => {
    unpickler = new Unpickler(bytes, hooks, budget, unpickler.position)
    const value = unpickler.load()
    for (const op of unpickler.trace.opcodes) trace.opcodes.add(op)
    for (const name of unpickler.trace.globals) trace.globals.add(name)
    for (const kind of unpickler.trace.built) trace.built.add(kind)
    return value
  }
  if (next() !== 1001) throw labError('CHECKPOINT_UNSUPPORTED', 'This legacy PyTorch file uses a protocol version TorchLab does not know.')
  // sys_info: torch 1.13 reads it and looks at none of it (its little_endian flag included)
  next()
  const value = next()
  const keys = next()
  if (!Array.isArray(keys)) throw badFile('The legacy file has no list of its storages.')
  let pos = unpickler.position
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (const key of keys) {
    const name = String(key)
    const storage = storages.get(name)
    if (!storage) throw badFile(`The legacy file lists a storage "${name}" that nothing uses.`, name)
    if (pos + 8 > bytes.length) throw badFile(`The file is cut short before the data of storage "${name}".`, name)
    const count = Number(dv.getBigInt64(pos, true))
    const size = count * DTYPES[storage.dtype].size
    pos += 8
    if (count !== storage.numel || pos + size > bytes.length) throw badFile(`The data of storage "${name}" is cut short or has the wrong size.`, name)
    data.set(name, bytes.subarray(pos, pos + size))
    pos += size
  }
  materialiseAll(value)
  return { format: 'legacy', value, trace, budget }
}

/** `sums`: CRCs of stored records computed while the file was read (readZip) */
export function readPth(bytes: Uint8Array, sums?: KnownSums): PthContents {
  if (isZip(bytes)) return readZipPth(bytes, sums)
  if (bytes.length > 2 && bytes[0] === 0x80) return readLegacyPth(bytes)
  if (bytes.length >= 262 && new TextDecoder('latin1').decode(bytes.subarray(257, 262)) === 'ustar') {
    throw labError('CHECKPOINT_UNSUPPORTED', 'This is a very old PyTorch file (the tar format before torch 0.4); open it in PyTorch and save it again.')
  }
  if (bytes.length === 0) throw badFile('The file is empty (0 bytes): nothing was saved in it. Save the model again, and open that file.')
  const line = textStart(bytes)
  if (line !== undefined) throw badFile(`This is a text file, not a PyTorch .pth file: it starts "${line}". A CSV is opened as data (the Data panel, or the lab command's --data), not as weights.`)
  throw badFile('This is not a PyTorch .pth file: it is neither torch\'s zip format nor its legacy format.')
}

/** the first line of a file whose first bytes are printable text (a CSV renamed .pth), cut to 60 characters; undefined for anything else */
function textStart(bytes: Uint8Array): string | undefined {
  let text: string
  try {
    // a multi-byte character cut at the sample's end is not a reason to call the file binary
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 512), { stream: true })
  } catch {
    return undefined
  }
  if (!/^[^\p{C}]*$/u.test(text.replace(/[\t\r\n]/g, ''))) return undefined
  const first = text.split(/\r?\n/)[0].trim()
  if (first === '') return undefined
  return first.length > 60 ? `${first.slice(0, 60)}…` : first
}
