/**
 * The fast CSV reader's dictionary of distinct text cells (data/cellDictionary.ts) against a file
 * built to be slow: cells whose FNV-1a hashes share their low bits pile into one run of slots,
 * and every lookup would walk all of them. Past 64 slots it gives the cell up (EMPTY), which
 * sends the file to the general parser.
 */
import { describe, expect, it } from 'vitest'
import { CellDictionary } from '../../src/main/lab/data/cellDictionary'

function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5 | 0
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193)
  return hash
}

/** `count` distinct cells whose hashes agree in their low 12 bits (more than any mask the test's table reaches) */
function collidingCells(count: number): Uint8Array[] {
  const buckets = new Map<number, Uint8Array[]>()
  const encoder = new TextEncoder()
  for (let i = 0; ; i++) {
    const cell = encoder.encode(`k${i}`)
    const low = fnv1a(cell) & 0xfff
    const bucket = buckets.get(low) ?? []
    bucket.push(cell)
    buckets.set(low, bucket)
    if (bucket.length === count) return bucket
  }
}

describe('the fast reader’s dictionary of text cells', () => {
  it('gives up on cells made to share their hash’s low bits after 64 of them, and still finds those it has', () => {
    const cells = collidingCells(200)
    const dictionary = new CellDictionary()
    const codes = cells.map((cell) => dictionary.code(cell, 0, cell.length))
    expect(codes.slice(0, 64)).toEqual([...Array(64).keys()])
    expect(new Set(codes.slice(64))).toEqual(new Set([-1]))
    expect(cells.slice(0, 64).map((cell) => dictionary.code(cell, 0, cell.length))).toEqual([...Array(64).keys()])
  })

  it('keeps a code for each of 10,000 ordinary distinct cells and finds each again', () => {
    const encoder = new TextEncoder()
    const cells = Array.from({ length: 10_000 }, (_, i) => encoder.encode(`species-${i}`))
    const dictionary = new CellDictionary()
    expect(cells.map((cell) => dictionary.code(cell, 0, cell.length))).toEqual([...Array(10_000).keys()])
    expect(cells.map((cell) => dictionary.code(cell, 0, cell.length))).toEqual([...Array(10_000).keys()])
  })
})
