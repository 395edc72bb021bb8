/**
 * 5,000 damaged copies of real .pth files: every one ends in a correct read or a typed
 * LabError — never another exception, a hang, or an allocation the file's size cannot back.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { interpret } from '../../src/main/lab/checkpoint/contents'
import { readPth } from '../../src/main/lab/checkpoint/readPth'
import { encodePth } from '../../src/main/lab/checkpoint/writePth'
import { PyDict } from '../../src/main/lab/checkpoint/pickle/values'
import { Tensor } from '../../src/main/lab/checkpoint/tensor'
import { createRng } from '../../src/main/lab/data/rng'
import { LabError } from '../../src/shared/errors'

const FIXTURES = resolve(import.meta.dirname, '../../../shared/fixtures/pth')
const seeds: Uint8Array[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.pth'))
  .map((f) => readFileSync(join(FIXTURES, f)))
const written = new PyDict(
  new Map([
    ['w', new Tensor('float32', [3, 2], Float32Array.of(1, 2, 3, 4, 5, 6))],
    ['b', new Tensor('float32', [2], Float32Array.of(7, 8))],
  ]),
  'OrderedDict',
)
seeds.push(Buffer.concat([...encodePth(written, 'torchlab')]))

const rng = createRng(2024)
const int = (n: number) => Math.floor(rng() * n)

function mutate(source: Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(source)
  switch (int(5)) {
    case 0: // flip a few bytes
      for (let i = 0, n = 1 + int(8); i < n; i++) bytes[int(bytes.length)] ^= 1 << int(8)
      return bytes
    case 1: // cut the file short
      return bytes.subarray(0, int(bytes.length))
    case 2: {
      // overwrite a 32-bit field with an extreme size
      const at = int(bytes.length - 4)
      new DataView(bytes.buffer).setUint32(at, [0xffffffff, 0x7fffffff, int(1 << 30), 0, bytes.length * 2][int(5)], true)
      return bytes
    }
    case 3: {
      // cut a hole out of the middle (a record cut short)
      const start = int(bytes.length)
      const end = Math.min(bytes.length, start + 1 + int(64))
      return Uint8Array.from([...bytes.subarray(0, start), ...bytes.subarray(end)])
    }
    default: {
      // damage the pickle's opcodes and small integers
      for (let i = 0, n = 1 + int(4); i < n; i++) bytes[int(bytes.length)] = [0x4b, 0x4d, 0x4a, 0x8a, 0x58, 0x28, 0x52, 0x2e, 0x51, 0x63][int(10)]
      return bytes
    }
  }
}

describe('fuzzing the reader', () => {
  it('5,000 mutated files each end in a read or a typed error within a second', () => {
    let reads = 0
    let refusals = 0
    const before = process.memoryUsage().rss
    for (let i = 0; i < 5000; i++) {
      const bytes = mutate(seeds[i % seeds.length])
      const started = performance.now()
      try {
        interpret(readPth(bytes))
        reads++
      } catch (err) {
        if (!(err instanceof LabError)) throw new Error(`mutation ${i} threw ${String(err)} instead of a LabError`, { cause: err })
        expect(err.message.length).toBeGreaterThan(10)
        refusals++
      }
      const ms = performance.now() - started
      if (ms > 1000) throw new Error(`mutation ${i} took ${ms.toFixed(0)} ms`)
    }
    console.log(`fuzz: ${reads} reads, ${refusals} refusals`)
    expect(reads + refusals).toBe(5000)
    expect(refusals).toBeGreaterThan(1000)
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 * 1024)
  })
})
