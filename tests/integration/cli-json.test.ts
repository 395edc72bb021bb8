/**
 * `lab train --json` on a model too large to print by default: the weights are left out with a
 * sentence saying how to get them, and `--weights` streams them (never one giant string).
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { jsonLine, writeJson } from '../../src/main/cli/jsonStream'
import { ROOT, tempDir } from '../helpers/lab'

const settingsDir = tempDir('torchlab-cli-json-settings-')

function lab(args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/main/cli.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, TORCHLAB_CONFIG_DIR: settingsDir }, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout) => {
        try {
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, json: JSON.parse(stdout) })
        } catch (parseError) {
          reject(parseError)
        }
      },
    )
  })
}

// 1·400 + 400 + 400·400 + 400 + 400·1 + 1 = 161,601 parameters
const BIG = ['train', '--model', 'mlp', '--hidden', '400,400', '--epochs', '1', '--batch-size', '32', '--engine', 'dense', '--json']

describe('lab train --json on a large model', () => {
  it('leaves the weights out and says how to get them', async () => {
    const { code, json } = await lab(BIG)
    expect(code).toBe(0)
    expect(json.status).toBe('completed')
    expect(json.state_dict).toBeNull()
    expect(json.state_dict_omitted).toBe('161,601 parameters: add --weights to print them, or --out FILE.pth to save them.')
  })

  it('with --weights prints every tensor', async () => {
    const { code, json } = await lab([...BIG, '--weights'])
    expect(code).toBe(0)
    const sd = json.state_dict as Record<string, number[][] | number[]>
    expect(Object.keys(sd)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'])
    expect([sd['2.weight'].length, (sd['2.weight'][0] as number[]).length]).toEqual([400, 400])
    expect((sd['2.weight'] as number[][]).flat().every(Number.isFinite)).toBe(true)
    expect(json.state_dict_omitted).toBeUndefined()
  })
})

describe('writeJson', () => {
  async function written(value: unknown): Promise<{ text: string; largest: number }> {
    const out = new PassThrough()
    const pieces: string[] = []
    out.on('data', (c: Buffer) => pieces.push(c.toString()))
    await writeJson(out, value)
    return { text: pieces.join(''), largest: Math.max(...pieces.map((p) => p.length)) }
  }

  it('writes what JSON.stringify writes, numbers that are not finite as the words the text prints', async () => {
    const value = { a: [1, -0.5, NaN, Infinity, 1e-30], b: { c: 'q"uote\n', d: undefined, e: null, f: [[1, 2], [3]], g: [undefined, 'x', true] }, h: [], i: {}, 'k"ey': 3 }
    const text = (await written(value)).text
    expect(text).toBe(jsonLine(value))
    expect(text).toContain('"a":[1,-0.5,"NaN","Infinity",1e-30]')
    expect(text.replace('"a":[1,-0.5,"NaN","Infinity",1e-30]', '"a":[1,-0.5,null,null,1e-30]')).toBe(JSON.stringify(value) + '\n')
  })

  it('keeps a NaN or an infinity past the first slice of a long array, and a lone one, readable back as numbers', async () => {
    const long = Array.from({ length: 40_000 }, (_, i) => i / 7)
    long[20_000] = NaN
    long[39_999] = -Infinity
    const parsed = JSON.parse((await written({ w: long, loss: Infinity })).text) as { w: (number | string)[]; loss: string }
    expect(parsed.loss).toBe('Infinity')
    expect(Number(parsed.loss)).toBe(Infinity)
    expect(parsed.w.map(Number)).toEqual(long)
    expect(parsed.w.filter((x) => typeof x === 'string')).toEqual(['NaN', '-Infinity'])
  })

  it('sends a long array in pieces of about a megabyte', async () => {
    const long = { w: [Array.from({ length: 1_000_000 }, (_, i) => Math.sin(i))] }
    const { text, largest } = await written(long)
    expect(text).toBe(JSON.stringify(long) + '\n')
    expect(largest).toBeLessThan(2 * 1024 * 1024)
  })
})
