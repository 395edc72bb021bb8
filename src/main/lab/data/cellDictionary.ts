/**
 * A text column's distinct cells as the fast reader meets them, each known by its bytes in the
 * file: a column of class labels repeats a handful of cells a million times, and each repeat is
 * then hashed and compared in place, never made into a string. Only the distinct cells are
 * decoded, once, when the range has been read.
 */
import { MAX_CELL_CHARS } from '../limits'
import { assertNever } from '../../../shared/exhaustive'
import { decodeText } from './encoding'

const QUOTE = 34
const EMPTY = -1
/** FNV-1a, 32 bits, as signed integers: the hash of an empty cell is the offset itself, and must equal what an Int32Array keeps of it */
const FNV_OFFSET = 0x811c9dc5 | 0
const FNV_PRIME = 0x01000193
/**
 * The most slots a lookup tries. A good hash rarely needs more than a few at half full; cells
 * made to share their hash's low bits (a file built to be slow) would make every lookup walk all
 * of them, so past this the file goes to the general parser instead.
 */
const MAX_PROBES = 64

/** the encodings the fast reader reads: each cell's bytes are decoded on their own */
export type CellEncoding = 'utf-8' | 'windows-1252'

export class CellDictionary {
  /** cell k is bytes[starts[k], ends[k]), where the file first shows it (a file is at most 1 GB: an offset fits 32 bits) */
  private starts = new Int32Array(32)
  private ends = new Int32Array(32)
  private hashes = new Int32Array(32)
  private size = 0
  /** open addressing: a slot holds a cell's code or EMPTY, and is never more than half full */
  private slots = new Int32Array(64).fill(EMPTY)

  /**
   * The code of the cell bytes[from, to): its index among the distinct cells, a new one for a cell
   * not seen before; EMPTY for a cell that needs the general parser (a quote inside it, longer
   * than the longest cell TorchLab reads, which the general parser refuses by line, or one whose
   * lookup would try more than MAX_PROBES slots).
   */
  code(bytes: Uint8Array, from: number, to: number): number {
    let hash = FNV_OFFSET
    for (let k = from; k < to; k++) hash = Math.imul(hash ^ bytes[k], FNV_PRIME)
    const mask = this.slots.length - 1
    const length = to - from
    for (let slot = hash & mask, probes = 0; probes < MAX_PROBES; slot = (slot + 1) & mask, probes++) {
      const code = this.slots[slot]
      if (code === EMPTY) return this.add(bytes, from, to, hash)
      if (this.hashes[code] !== hash || this.ends[code] - this.starts[code] !== length) continue
      let k = 0
      const start = this.starts[code]
      while (k < length && bytes[start + k] === bytes[from + k]) k++
      if (k === length) return code
    }
    return EMPTY
  }

  private add(bytes: Uint8Array, from: number, to: number, hash: number): number {
    if (to - from > MAX_CELL_CHARS || bytes.subarray(from, to).includes(QUOTE)) return EMPTY
    if (2 * (this.size + 1) > this.slots.length) this.grow()
    const code = this.size++
    this.starts[code] = from
    this.ends[code] = to
    this.hashes[code] = hash
    this.place(code)
    return code
  }

  private place(code: number): void {
    const mask = this.slots.length - 1
    let slot = this.hashes[code] & mask
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask
    this.slots[slot] = code
  }

  /** twice the slots; the cells' arrays have room for as many cells as half of them */
  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY)
    for (let code = 0; code < this.size; code++) this.place(code)
    const room = (array: Int32Array) => {
      const grown = new Int32Array(this.slots.length / 2)
      grown.set(array)
      return grown
    }
    this.starts = room(this.starts)
    this.ends = room(this.ends)
    this.hashes = room(this.hashes)
  }

  /**
   * The distinct cells as text, in the order of their codes; null when one of them holds bytes
   * the encoding cannot read, or a U+FFFD: the general parser names the line of such a cell.
   */
  cells(bytes: Uint8Array, encoding: CellEncoding): string[] | null {
    const cells: string[] = []
    for (let code = 0; code < this.size; code++) {
      const cell = decodeCell(bytes, this.starts[code], this.ends[code], encoding)
      if (cell.includes('\ufffd')) return null
      cells.push(cell)
    }
    return cells
  }
}

/** bytes[from, to) as text. Buffer's UTF-8 decoder keeps a byte order mark that opens a cell, as the decoded file does (TextDecoder would drop it). */
export function decodeCell(bytes: Uint8Array, from: number, to: number, encoding: CellEncoding): string {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', from, to)
    case 'windows-1252':
      return decodeText(bytes.subarray(from, to), encoding)
    default:
      return assertNever(encoding)
  }
}
