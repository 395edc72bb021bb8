/**
 * The CRCs of a .pth's large stored records, computed while the file is read, each part right
 * after it is read, while it is still in the cache (a 100 MB state_dict's checksum then costs
 * little beyond the read). The directory is read first, from the end of the file; each record it
 * names is followed as its bytes arrive. readZip takes a sum only for a record whose data is
 * exactly the bytes summed. Whatever this does not follow — a deflated or short record, a
 * directory longer than the tail read first, a record overlapping the one before, a file it
 * cannot make sense of — readZip checksums afterwards and refuses in its own words.
 */
import type { ReadFollower } from '../files/readFollower'
import { followCrc, type FollowedCrc } from './crc32/crc32'
import { dataOffset, directoryRecords, type DirectoryRecord } from './zip'

/** the end record's search window (65,557 bytes), its zip64 records, and a directory of a few hundred records */
const TAIL_BYTES = 128 << 10

export class RecordSums implements ReadFollower {
  /** each summed record's size and CRC, by where its data starts */
  readonly sums = new Map<number, { size: number; crc: number }>()
  private bytes?: Uint8Array
  /** the stored records to follow, in file order, and the next one's index */
  private records: DirectoryRecord[] = []
  private next = 0
  private current?: { start: number; size: number; crc: FollowedCrc }
  /** where the last record followed ended: the next may not start before it */
  private done = 0

  tailBytes(size: number): number {
    return Math.min(size, TAIL_BYTES)
  }

  tail(bytes: Uint8Array): void {
    try {
      // the bytes before the tail are zeros yet: a directory reaching there fails its signature check
      this.records = [...directoryRecords(bytes)].filter((r) => r.method === 0).sort((a, b) => a.offset - b.offset)
      this.bytes = bytes
    } catch {
      this.records = []
    }
  }

  known(known: number): void {
    const bytes = this.bytes
    if (!bytes) return
    for (;;) {
      if (!this.current && !this.begin(bytes, known)) return
      const { start, size, crc } = this.current!
      if (known < start + size) {
        if (known > start) crc.advance(known - start)
        return
      }
      this.sums.set(start, { size, crc: crc.end() })
      this.done = start + size
      this.current = undefined
    }
  }

  /** starts following the next record whose local header is in; false when there is none yet */
  private begin(bytes: Uint8Array, known: number): boolean {
    while (this.next < this.records.length) {
      const record = this.records[this.next]
      if (known < record.offset + 30) return false
      this.next++
      let start: number
      try {
        start = dataOffset(bytes, record)
      } catch {
        continue
      }
      if (start < this.done || start + record.compressedSize > bytes.length) continue
      const crc = followCrc(bytes.subarray(start, start + record.compressedSize))
      if (!crc) continue
      this.current = { start, size: record.compressedSize, crc }
      return true
    }
    return false
  }
}
