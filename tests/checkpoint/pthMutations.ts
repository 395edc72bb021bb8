/**
 * Seeded, structure-aware damage to real .pth files (what torch wrote, what TorchLab wrote): the
 * file's own zip records and pickle opcodes are found first, so a cut falls on a boundary
 * (a local header, a record's data, the central directory, the end record, an opcode), a field
 * that is changed is a real one (a size, an offset, a checksum, the compression method, an
 * entry count), entries are dropped or duplicated as a zip tool would, and a change inside a
 * stored record can keep its checksum right, so that it reaches the unpickler or the tensor
 * bytes rather than stopping at the CRC. Each case says what was done, for the report's counts.
 */
import { crc32 } from 'node:zlib'
import { createRng } from '../../src/main/lab/data/rng'

export interface Mutant {
  /** what was done: the kind, then where ("truncate:central directory entry 2") */
  what: string
  kind: string
  bytes: Uint8Array
}

interface Entry {
  name: string
  /** where its central directory entry starts, and its length */
  central: number
  centralLength: number
  local: number
  dataStart: number
  dataEnd: number
  method: number
}

interface Zip {
  entries: Entry[]
  centralStart: number
  end: number
}

const u16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8)
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0
const put32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true)
const put16 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint16(at, v & 0xffff, true)

/** the zip's records, or null for a file that is no zip (torch's legacy format) */
export function zipOf(b: Uint8Array): Zip | null {
  let end = -1
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
    if (u32(b, i) === 0x06054b50) {
      end = i
      break
    }
  }
  if (end < 0) return null
  const count = u16(b, end + 10)
  const centralStart = u32(b, end + 16)
  const entries: Entry[] = []
  let at = centralStart
  for (let k = 0; k < count && u32(b, at) === 0x02014b50; k++) {
    const nameLength = u16(b, at + 28)
    const centralLength = 46 + nameLength + u16(b, at + 30) + u16(b, at + 32)
    const local = u32(b, at + 42)
    const dataStart = local + 30 + u16(b, local + 26) + u16(b, local + 28)
    const name = Buffer.from(b.subarray(at + 46, at + 46 + nameLength)).toString('utf8')
    entries.push({ name, central: at, centralLength, local, dataStart, dataEnd: dataStart + u32(b, at + 20), method: u16(b, at + 10) })
    at += centralLength
  }
  return { entries, centralStart, end }
}

/** argument lengths of the pickle opcodes torch's files use: a number of bytes, or a length prefix of n bytes */
const FIXED: Record<number, number> = {
  0x80: 1, 0x95: 8, 0x71: 1, 0x72: 4, 0x68: 1, 0x6a: 4, 0x4b: 1, 0x4d: 2, 0x4a: 4, 0x47: 8,
}
const PREFIXED: Record<number, number> = { 0x8a: 1, 0x8b: 4, 0x58: 4, 0x8c: 1, 0x8d: 8, 0x43: 1, 0x42: 4, 0x54: 4, 0x55: 1 }
const BARE = new Set([0x93, 0x94, 0x51, 0x7d, 0x5d, 0x29, 0x28, 0x74, 0x85, 0x86, 0x87, 0x73, 0x75, 0x61, 0x65, 0x52, 0x62, 0x81, 0x88, 0x89, 0x4e, 0x64, 0x6c, 0x30, 0x32, 0x31])
const STOP = 0x2e
const GLOBAL = 0x63
/** opcodes a damaged byte is set to: ones that change the stack's shape */
export const SWAP_OPCODES = [0x4b, 0x4d, 0x4a, 0x8a, 0x58, 0x28, 0x52, 0x2e, 0x51, 0x63, 0x74, 0x73, 0x75, 0x61, 0x62, 0x81, 0x30, 0x32, 0x4e, 0x7d, 0x5d, 0x29, 0x68, 0x71, 0x47, 0x93, 0x94]

/** where each opcode of the pickle in b[start, end) begins, and where its argument is (for small integers) */
export function opcodesOf(b: Uint8Array, start: number, end: number): { at: number; op: number; arg: number; argLength: number }[] {
  const ops: { at: number; op: number; arg: number; argLength: number }[] = []
  let i = start
  while (i < end) {
    const op = b[i]
    let next: number
    let argLength = 0
    if (op in FIXED) {
      argLength = FIXED[op]
      next = i + 1 + argLength
    } else if (op in PREFIXED) {
      const n = PREFIXED[op]
      let length = 0
      for (let k = n - 1; k >= 0; k--) length = length * 256 + b[i + 1 + k]
      next = i + 1 + n + length
    } else if (op === GLOBAL) {
      const first = b.indexOf(10, i + 1)
      const second = first < 0 ? -1 : b.indexOf(10, first + 1)
      if (second < 0) break
      next = second + 1
    } else if (BARE.has(op) || op === STOP) next = i + 1
    else break
    ops.push({ at: i, op, arg: i + 1, argLength })
    if (op === STOP || next > end) break
    i = next
  }
  return ops
}

/** the boundaries a cut may fall on, by name */
function boundaries(b: Uint8Array, zip: Zip | null): [string, number][] {
  if (!zip) return opcodesOf(b, 0, b.length).map((o, k) => [`pickle opcode ${k}`, o.at])
  const cuts: [string, number][] = [
    ['central directory', zip.centralStart],
    ['end record', zip.end],
    ['end record comment length', zip.end + 20],
  ]
  for (const e of zip.entries) {
    cuts.push([`local header of ${e.name}`, e.local], [`data of ${e.name}`, e.dataStart], [`end of ${e.name}`, e.dataEnd], [`central entry of ${e.name}`, e.central])
    if (e.name.endsWith('data.pkl') && e.method === 0) opcodesOf(b, e.dataStart, e.dataEnd).forEach((o, k) => cuts.push([`pickle opcode ${k}`, o.at]))
  }
  return cuts
}

/** rewrites the checksum of a stored entry whose data changed, in its central entry and its local header */
function fixCrc(b: Uint8Array, e: Entry): void {
  const crc = crc32(b.subarray(e.dataStart, e.dataEnd))
  put32(b, e.central + 16, crc)
  put32(b, e.local + 14, crc)
}

export function mutatedPths(seeds: { name: string; bytes: Uint8Array }[], count: number, seed: number): Mutant[] {
  const rng = createRng(seed)
  const int = (n: number) => Math.floor(rng() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]
  const out: Mutant[] = []
  const kinds = ['flip', 'truncate', 'field', 'drop entry', 'duplicate entry', 'pickle opcode', 'pickle integer', 'tensor bytes', 'splice', 'method'] as const
  while (out.length < count) {
    const source = seeds[out.length % seeds.length]
    const b = Uint8Array.from(source.bytes)
    const zip = zipOf(b)
    const kind = pick(kinds)
    const add = (what: string, bytes: Uint8Array) => out.push({ kind, what: `${source.name} ${kind}:${what}`, bytes })
    const pkl = zip?.entries.find((e) => e.name.endsWith('/data.pkl') && e.method === 0)
    const pickleRange = zip ? (pkl ? [pkl.dataStart, pkl.dataEnd] : null) : [0, b.length]
    switch (kind) {
      case 'flip': {
        const regions: [string, number, number][] = zip
          ? [
              ['end record', zip.end, b.length],
              ['central directory', zip.centralStart, zip.end],
              ...zip.entries.flatMap((e): [string, number, number][] => [
                [`local header of ${e.name}`, e.local, e.dataStart],
                [`data of ${e.name}`, e.dataStart, e.dataEnd],
              ]),
            ]
          : [['pickle', 0, b.length]]
        const [where, from, to] = pick(regions)
        if (to <= from) continue
        for (let i = 0, n = 1 + int(3); i < n; i++) b[from + int(to - from)] ^= 1 << int(8)
        add(where, b)
        break
      }
      case 'truncate': {
        const [where, at] = pick(boundaries(b, zip))
        const shift = pick([0, 0, 1, -1])
        add(`${where}${shift ? ` ${shift > 0 ? '+' : ''}${shift}` : ''}`, b.subarray(0, Math.max(0, Math.min(b.length, at + shift))))
        break
      }
      case 'field': {
        if (!zip || !zip.entries.length) continue
        const e = pick(zip.entries)
        const fields: [string, number, 16 | 32][] = [
          ['compressed size', e.central + 20, 32],
          ['uncompressed size', e.central + 24, 32],
          ['local offset', e.central + 42, 32],
          ['checksum', e.central + 16, 32],
          ['name length', e.central + 28, 16],
          ['extra length', e.central + 30, 16],
          ['local name length', e.local + 26, 16],
          ['local extra length', e.local + 28, 16],
          ['entry count', zip.end + 10, 16],
          ['central directory offset', zip.end + 16, 32],
          ['central directory size', zip.end + 12, 32],
        ]
        const [field, at, width] = pick(fields)
        const old = width === 32 ? u32(b, at) : u16(b, at)
        const value = pick([0, 1, old + 1, old - 1, old * 2, width === 32 ? 0xffffffff : 0xffff, b.length, int(b.length)])
        if (width === 32) put32(b, at, value)
        else put16(b, at, value)
        add(`${field} of ${field.startsWith('entry') || field.startsWith('central directory') ? 'the end record' : e.name} ${old} -> ${value >>> 0}`, b)
        break
      }
      case 'method': {
        if (!zip || !zip.entries.length) continue
        const e = pick(zip.entries)
        const method = pick([8, 12, 14, 99, 1])
        put16(b, e.central + 10, method)
        if (rng() < 0.5) put16(b, e.local + 8, method)
        add(`${e.name} -> ${method}`, b)
        break
      }
      case 'drop entry':
      case 'duplicate entry': {
        if (!zip || !zip.entries.length) continue
        const k = int(zip.entries.length)
        const e = zip.entries[k]
        const entry = b.subarray(e.central, e.central + e.centralLength)
        const before = b.subarray(0, e.central)
        const after = b.subarray(e.central + e.centralLength, zip.end)
        const end = Uint8Array.from(b.subarray(zip.end))
        const central = kind === 'drop entry' ? [before, after] : [before, entry, entry, after]
        const joined = Uint8Array.from(Buffer.concat([...central, end]))
        const endAt = joined.length - end.length
        const n = zip.entries.length + (kind === 'drop entry' ? -1 : 1)
        put16(joined, endAt + 8, n)
        put16(joined, endAt + 10, n)
        put32(joined, endAt + 12, endAt - zip.centralStart)
        add(e.name, joined)
        break
      }
      case 'pickle opcode':
      case 'pickle integer': {
        if (!pickleRange) continue
        const ops = opcodesOf(b, pickleRange[0], pickleRange[1])
        const small = ops.filter((o) => o.argLength > 0 && o.op !== 0x47)
        if (!ops.length || (kind === 'pickle integer' && !small.length)) continue
        if (kind === 'pickle opcode') {
          const o = pick(ops)
          const op = pick(SWAP_OPCODES)
          b[o.at] = op
          if (pkl) fixCrc(b, pkl)
          add(`opcode ${o.at - pickleRange[0]} 0x${o.op.toString(16)} -> 0x${op.toString(16)}`, b)
        } else {
          const o = pick(small)
          const value = pick([0, 1, 2, 0xff, 0x7f, 0x80, int(256)])
          for (let k = 0; k < o.argLength; k++) b[o.arg + k] = k === 0 ? value : pick([0, b[o.arg + k], 0xff])
          if (pkl) fixCrc(b, pkl)
          add(`argument of opcode 0x${o.op.toString(16)} at ${o.at - pickleRange[0]} -> ${value}`, b)
        }
        break
      }
      case 'tensor bytes': {
        const data = zip?.entries.filter((e) => /\/data\/\d+$/.test(e.name) && e.method === 0 && e.dataEnd > e.dataStart)
        if (!data?.length) continue
        const e = pick(data)
        // any bit pattern: NaN, infinities, subnormals and huge values are all numbers a file can hold
        for (let i = 0, n = 1 + int(6); i < n; i++) b[e.dataStart + int(e.dataEnd - e.dataStart)] = int(256)
        fixCrc(b, e)
        add(e.name, b)
        break
      }
      case 'splice': {
        const other = pick(seeds)
        const otherZip = zipOf(other.bytes)
        const [whereA, atA] = pick(boundaries(b, zip))
        const [whereB, atB] = pick(boundaries(other.bytes, otherZip))
        add(`${whereA} of ${source.name} + from ${whereB} of ${other.name}`, Uint8Array.from(Buffer.concat([b.subarray(0, atA), other.bytes.subarray(atB)])))
        break
      }
    }
  }
  return out
}
