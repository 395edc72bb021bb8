/**
 * A CSV cell longer than any value a student trains on (MAX_CELL_CHARS): through the lab's real
 * path (the sandboxed reader) it is refused in a sentence naming its line and column, before the
 * cell is built, so a 100 MB cell costs no more memory than its file; a cell at the limit is read.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_CELL_CHARS } from '../../src/main/lab/limits'
import { LabError } from '../../src/shared/errors'
import { createService, tempDir } from '../helpers/lab'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-long-cell-')

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** runs `read`, sampling the process's resident memory (the sandbox's worker threads included) */
async function peakGrowth(read: () => Promise<unknown>): Promise<{ result: unknown; growthMb: number; ms: number }> {
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10)
  const started = performance.now()
  const result = await read().catch((err: unknown) => err)
  clearInterval(timer)
  return { result, growthMb: (peak - before) / 2 ** 20, ms: performance.now() - started }
}

const HUNDRED_MB = 100_000_000
const cases = {
  'plain text': `x,note,y\n1,a,2\n2,${'abcdefghij'.repeat(HUNDRED_MB / 10)},3\n3,c,4\n`,
  'quoted text with doubled quotes': `x,note,y\n1,a,2\n2,"${'ab""cdefgh'.repeat(HUNDRED_MB / 10)}",3\n3,c,4\n`,
  'two-byte characters': `x,note,y\n1,a,2\n2,${'é'.repeat(HUNDRED_MB / 2)},3\n3,c,4\n`,
}

describe('a 100 MB cell', () => {
  for (const [what, text] of Object.entries(cases)) {
    it(`of ${what} is refused with its line and column, within the file's own memory`, async () => {
      const path = file(`${what.replaceAll(' ', '-')}.csv`, text)
      for (const read of [() => service.inspectCsv({ kind: 'file', path }, {}), () => service.prepareDataset({ source: { kind: 'file', path }, features: ['x'], target: 'y' })]) {
        const { result, growthMb, ms } = await peakGrowth(read)
        console.log(`${what}: refused in ${ms.toFixed(0)} ms, resident memory grew ${growthMb.toFixed(0)} MB`)
        expect(result).toBeInstanceOf(LabError)
        expect((result as LabError).info).toEqual({
          code: 'TOO_LARGE',
          line: 3,
          column: 'note',
          message: `Line 3 starts a cell (column "note") of more than 1,000,000 characters, the most TorchLab reads in one cell. If that line should hold ordinary values, a quote on it may be left open; otherwise remove the long text from the file.`,
        })
        // the file's bytes and their decoded text, and no copy of the cell (it took 430 MB, and 1 GB quoted, before)
        expect(growthMb).toBeLessThan(300)
      }
    }, 240_000)
  }

  it('made by a stray quote that swallows most of a large file up to the next quote is named by the line the stray one opens', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i},${i % 7},${i * 2}`).join('\n')
    const path = file('stray-quote.csv', `x,note,y\n1,"a,2\n${rows}\n5,"b",6\n`)
    const refusal = await service.inspectCsv({ kind: 'file', path }, {}).catch((err: unknown) => err)
    expect((refusal as LabError).info).toMatchObject({ code: 'TOO_LARGE', line: 2, column: 'note' })
  })
})

describe('a cell at the limit', () => {
  it(`of ${MAX_CELL_CHARS.toLocaleString('en-US')} characters is read, quoted or not, and one more is refused`, async () => {
    const long = 'a'.repeat(MAX_CELL_CHARS)
    const plain = await service.inspectCsv({ kind: 'file', path: file('limit.csv', `x,note,y\n1,${long},2\n2,b,3\n`) }, {})
    expect(plain).toMatchObject({ rowCount: 2 })
    const quoted = await service.inspectCsv({ kind: 'file', path: file('limit-quoted.csv', `x,note,y\n1,"${long.slice(1)}""",2\n2,b,3\n`) }, {})
    expect(quoted).toMatchObject({ rowCount: 2 })
    const over = await service.inspectCsv({ kind: 'file', path: file('over.csv', `x,note,y\n1,${long}a,2\n2,b,3\n`) }, {}).catch((err: unknown) => err)
    expect((over as LabError).info).toMatchObject({ code: 'TOO_LARGE', line: 2, column: 'note' })
    const overQuoted = await service.inspectCsv({ kind: 'file', path: file('over-quoted.csv', `x,note,y\n1,"${long}""",2\n2,b,3\n`) }, {}).catch((err: unknown) => err)
    expect((overQuoted as LabError).info).toMatchObject({ code: 'TOO_LARGE', line: 2, column: 'note' })
  })
})
