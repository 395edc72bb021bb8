/**
 * The zip container of PyTorch's .pth files. Reading trusts nothing the file declares: every
 * offset and size is checked against the bytes really there before anything is sliced or
 * inflated, and CRCs are verified (torch 1.13's reader does not check them). Writing lays records out as
 * torch does: stored, each record's data on a 64-byte boundary (padding in an "FB" extra field),
 * its CRC and sizes in a data descriptor after it, so a record is written while it is checksummed.
 */
import { inflateRawSync } from 'node:zlib'
import { labError } from '../../../shared/errors'
import type { Budget } from './budget'
import { crc32 } from './crc32/crc32'
import { badFile } from './errors'

export interface ZipEntry {
  name: string
  method: number
  compressedSize: number
  size: number
  crc: number
  dataOffset: number
  /** general-purpose flag bit 0 (or bit 6, strong encryption): torch's reader refuses such a record when it reads it */
  encrypted: boolean
  /** its data's CRC, when it was computed while the file was read */
  sum?: number
}

const EOCD = 0x06054b50
const EOCD64 = 0x06064b50
const EOCD64_LOCATOR = 0x07064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
export const ALIGNMENT = 64

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function need(bytes: Uint8Array, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > bytes.length) {
    throw badFile(`The file is cut short or damaged: its ${what} points past the end of the file.`)
  }
}

function u64(dv: DataView, offset: number): number {
  const value = dv.getBigUint64(offset, true)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw badFile('The file declares a size larger than any real file.')
  return Number(value)
}

function findEocd(bytes: Uint8Array, dv: DataView): number {
  const stop = Math.max(0, bytes.length - 22 - 0xffff)
  for (let i = bytes.length - 22; i >= stop; i--) if (dv.getUint32(i, true) === EOCD) return i
  throw badFile('This is not a complete zip file: its directory at the end is missing. Was the download cut short, or is a program still saving it? Open it again once it is whole.')
}

/** zip64 values replace 0xffffffff fields in the order: size, compressed size, local offset */
function zip64Extra(dv: DataView, start: number, length: number, fields: { size: number; compressedSize: number; offset: number }): void {
  let p = start
  const end = start + length
  while (p + 4 <= end) {
    const id = dv.getUint16(p, true)
    const len = dv.getUint16(p + 2, true)
    if (id === 0x0001) {
      let q = p + 4
      for (const key of ['size', 'compressedSize', 'offset'] as const) {
        if (fields[key] === 0xffffffff && q + 8 <= p + 4 + len) {
          fields[key] = u64(dv, q)
          q += 8
        }
      }
    }
    p += 4 + len
  }
}

/** a record as the directory at the end of the file describes it, before its local header is looked at */
export interface DirectoryRecord {
  name: string
  flags: number
  method: number
  crc: number
  size: number
  compressedSize: number
  /** where its local header starts */
  offset: number
}

/**
 * The records of the directory at the end of the file, one at a time: a caller that stops at
 * the first refusal sees the refusals in the order the directory gives them.
 */
export function* directoryRecords(bytes: Uint8Array): Generator<DirectoryRecord> {
  const dv = view(bytes)
  if (bytes.length < 22) throw badFile('The file is too short to be a PyTorch file.')
  const eocd = findEocd(bytes, dv)
  let disk = dv.getUint16(eocd + 4, true)
  let directoryDisk = dv.getUint16(eocd + 6, true)
  let countOnDisk = dv.getUint16(eocd + 8, true)
  let count = dv.getUint16(eocd + 10, true)
  let cdSize = dv.getUint32(eocd + 12, true)
  let cdOffset = dv.getUint32(eocd + 16, true)
  if (eocd >= 20 && dv.getUint32(eocd - 20, true) === EOCD64_LOCATOR) {
    const at = u64(dv, eocd - 20 + 8)
    need(bytes, at, 56, 'zip64 directory')
    if (dv.getUint32(at, true) !== EOCD64) throw badFile('The zip64 directory of this file is damaged.')
    disk = dv.getUint32(at + 16, true)
    directoryDisk = dv.getUint32(at + 20, true)
    countOnDisk = u64(dv, at + 24)
    count = u64(dv, at + 32)
    cdSize = u64(dv, at + 40)
    cdOffset = u64(dv, at + 48)
  }
  // torch's reader (miniz) takes one disk only, numbered 0 (or 1 throughout)
  const split = () => badFile('This file says it is one part of a zip split over several disks; torch reads whole zips only.')
  if (countOnDisk !== count || ((disk | directoryDisk) !== 0 && (disk !== 1 || directoryDisk !== 1))) throw split()
  need(bytes, cdOffset, cdSize, 'record directory')
  if (count > cdSize / 46) throw badFile('The file declares more records than its directory can hold.')
  let p = cdOffset
  for (let i = 0; i < count; i++) {
    need(bytes, p, 46, 'record directory')
    if (dv.getUint32(p, true) !== CENTRAL) throw badFile('The record directory of this file is damaged.')
    const startDisk = dv.getUint16(p + 34, true)
    if (startDisk !== disk && startDisk !== 1) throw split()
    const nameLength = dv.getUint16(p + 28, true)
    const extraLength = dv.getUint16(p + 30, true)
    const commentLength = dv.getUint16(p + 32, true)
    need(bytes, p + 46, nameLength + extraLength + commentLength, 'record directory')
    // as miniz does: each entry lies within the directory's declared size
    if (p + 46 + nameLength + extraLength + commentLength > cdOffset + cdSize) throw badFile('The record directory of this file is damaged: its records run past the size its end record gives it.')
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength))
    const fields = { compressedSize: dv.getUint32(p + 20, true), size: dv.getUint32(p + 24, true), offset: dv.getUint32(p + 42, true) }
    zip64Extra(dv, p + 46 + nameLength, extraLength, fields)
    yield { name, flags: dv.getUint16(p + 8, true), method: dv.getUint16(p + 10, true), crc: dv.getUint32(p + 16, true), ...fields }
    p += 46 + nameLength + extraLength + commentLength
  }
}

/** where a record's data starts: after its local header, whose own name and extra field lengths count */
export function dataOffset(bytes: Uint8Array, record: DirectoryRecord): number {
  const dv = view(bytes)
  need(bytes, record.offset, 30, `record "${record.name}"`)
  if (dv.getUint32(record.offset, true) !== LOCAL) throw badFile(`The record "${record.name}" is damaged.`, record.name)
  return record.offset + 30 + dv.getUint16(record.offset + 26, true) + dv.getUint16(record.offset + 28, true)
}

/** CRCs of stored records' data computed while the file was read (recordSums.ts), by where the data starts */
export type KnownSums = ReadonlyMap<number, { size: number; crc: number }>

/**
 * The file's records by name. A stored record whose data is exactly a run of bytes `sums` has
 * the CRC of is not checksummed again.
 */
export function readZip(bytes: Uint8Array, sums?: KnownSums): Map<string, ZipEntry> {
  const entries = new Map<string, ZipEntry>()
  for (const record of directoryRecords(bytes)) {
    const { name, method, crc, size, compressedSize } = record
    const start = dataOffset(bytes, record)
    need(bytes, start, compressedSize, `record "${name}"`)
    if (method !== 0 && method !== 8) throw badFile(`The record "${name}" uses zip compression method ${method}, which PyTorch never writes.`, name)
    if (method === 0 && size !== compressedSize) throw badFile(`The record "${name}" declares two different sizes.`, name)
    // two records with one name: torch 1.13's reader (miniz) finds one by binary search over the
    // sorted names — measured, the last data.pkl in one file and the first data/0 in another —
    // and Python's zipfile takes the last. Each reader may see a different pickle, so no choice
    // TorchLab makes is torch's: the file is refused.
    if (entries.has(name)) throw labError('CHECKPOINT_UNSAFE', `The file holds two records named "${name}"; torch and other zip readers may each read a different one, so TorchLab refuses it.`, { key: name })
    const sum = sums?.get(start)
    entries.set(name, {
      name,
      method,
      crc,
      size,
      compressedSize,
      dataOffset: start,
      encrypted: (record.flags & 0x41) !== 0,
      ...(method === 0 && sum?.size === size ? { sum: sum.crc } : {}),
    })
  }
  return entries
}

/** a record's bytes; a deflated one is inflated only up to its declared size, which the budget pays first */
export function entryData(bytes: Uint8Array, entry: ZipEntry, budget: Budget): Uint8Array {
  if (entry.encrypted) {
    throw labError('CHECKPOINT_UNSUPPORTED', `The record "${entry.name}" of this file is encrypted (a password-protected zip), which torch cannot read either; ask for the file without a password.`, { key: entry.name })
  }
  const raw = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize)
  let data: Uint8Array
  if (entry.method === 0) {
    data = raw
  } else {
    budget.spend('inflatedBytes', entry.size)
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) })
    } catch {
      throw badFile(`The compressed record "${entry.name}" is damaged.`, entry.name)
    }
    if (data.length !== entry.size) throw badFile(`The compressed record "${entry.name}" does not have the size it declares.`, entry.name)
  }
  if ((entry.sum ?? crc32(data)) !== entry.crc) throw badFile(`The record "${entry.name}" is damaged (its checksum does not match).`, entry.name)
  return data
}

export interface ZipRecord {
  name: string
  data: Uint8Array
  /** sees each piece of the record's bytes right after it is handed to the writer, and may throw to abandon the file */
  check?: (piece: Uint8Array) => void
}

const DESCRIPTOR = 0x08074b50
/** bit 3: the CRC and sizes follow each record's data in a descriptor (as torch writes them); bit 11: UTF-8 names */
const FLAGS = 0x0808
const LOCAL_SIZE = 30
const DESCRIPTOR_SIZE = 16
const CENTRAL_SIZE = 46
const EOCD_SIZE = 22
/** the most bytes of one record handed out at once: the writer copies a piece while the one after it is checksummed */
export const PIECE_BYTES = 8 << 20

interface Placed {
  name: Uint8Array
  offset: number
  padding: number
}

/** where each record starts and how much padding puts its data on a 64-byte boundary; known from sizes alone */
function place(records: ZipRecord[]): { placed: Placed[]; centralOffset: number; size: number } {
  const encoder = new TextEncoder()
  let offset = 0
  const placed = records.map((record) => {
    const name = encoder.encode(record.name)
    const headerEnd = offset + LOCAL_SIZE + name.length + 4
    const padding = (ALIGNMENT - (headerEnd % ALIGNMENT)) % ALIGNMENT
    const at = { name, offset, padding }
    offset = headerEnd + padding + record.data.length + DESCRIPTOR_SIZE
    return at
  })
  const size = offset + placed.reduce((n, p) => n + CENTRAL_SIZE + p.name.length, 0) + EOCD_SIZE
  return { placed, centralOffset: offset, size }
}

function localHeader({ name, padding }: Placed): Buffer {
  // CRC and sizes stay 0 here: they are in the descriptor after the data, and in the central directory
  const local = Buffer.alloc(LOCAL_SIZE + name.length + 4 + padding)
  local.writeUInt32LE(LOCAL, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt16LE(FLAGS, 6)
  local.writeUInt16LE(name.length, 26)
  local.writeUInt16LE(4 + padding, 28)
  local.set(name, 30)
  local.write('FB', 30 + name.length, 'latin1')
  local.writeUInt16LE(padding, 32 + name.length)
  local.fill('Z', 34 + name.length)
  return local
}

function descriptor(crc: number, size: number): Buffer {
  const out = Buffer.alloc(DESCRIPTOR_SIZE)
  out.writeUInt32LE(DESCRIPTOR, 0)
  out.writeUInt32LE(crc, 4)
  out.writeUInt32LE(size, 8)
  out.writeUInt32LE(size, 12)
  return out
}

function centralEntry({ name, offset }: Placed, crc: number, size: number): Buffer {
  const entry = Buffer.alloc(CENTRAL_SIZE + name.length)
  entry.writeUInt32LE(CENTRAL, 0)
  entry.writeUInt16LE(20, 4)
  entry.writeUInt16LE(20, 6)
  entry.writeUInt16LE(FLAGS, 8)
  entry.writeUInt32LE(crc, 16)
  entry.writeUInt32LE(size, 20)
  entry.writeUInt32LE(size, 24)
  entry.writeUInt16LE(name.length, 28)
  entry.writeUInt32LE(offset, 42)
  entry.set(name, 46)
  return entry
}

function* pieces(records: ZipRecord[], placed: Placed[], centralOffset: number): Generator<Uint8Array> {
  const central: Buffer[] = []
  for (const [i, record] of records.entries()) {
    yield localHeader(placed[i])
    let crc = 0
    for (let at = 0; at < record.data.length; at += PIECE_BYTES) {
      const piece = record.data.subarray(at, at + PIECE_BYTES)
      yield piece
      // only now: the writer is copying this piece to the file meanwhile, from where it is
      crc = crc32(piece, crc)
      record.check?.(piece)
    }
    yield descriptor(crc, record.data.length)
    central.push(centralEntry(placed[i], crc, record.data.length))
  }
  const end = Buffer.alloc(EOCD_SIZE)
  end.writeUInt32LE(EOCD, 0)
  end.writeUInt16LE(records.length, 8)
  end.writeUInt16LE(records.length, 10)
  end.writeUInt32LE(central.reduce((n, c) => n + c.length, 0), 12)
  end.writeUInt32LE(centralOffset, 16)
  yield Buffer.concat([...central, end])
}

/**
 * A zip file as the pieces to write in order, laid out as torch writes: stored records, data on
 * 64-byte boundaries, CRC and sizes in descriptors. Storages are handed out from where they are,
 * never copied, and each iteration checksums the records anew, while they are written.
 */
export function writeZip(records: ZipRecord[]): Iterable<Uint8Array> {
  const { placed, centralOffset, size } = place(records)
  if (size > 0xffffffff) throw badFile('TorchLab writes .pth files up to 4 GB.')
  return { [Symbol.iterator]: () => pieces(records, placed, centralOffset) }
}
