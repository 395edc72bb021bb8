/**
 * A save killed at any moment leaves the previous file whole (real PyTorch loads it) and its
 * temporary file is gone after the next save. The writer is a real process saving a real
 * 100 MB state_dict (tests/helpers/saveLoop.ts), SIGKILLed at random moments. The folder is in
 * memory (/dev/shm) where there is one: a kill loses nothing the page cache holds, so the disk
 * adds only time. Right after each kill the file is hard-linked aside (the same bytes, kept
 * when the next save renames over the name), and PyTorch checks those while the trials go on.
 * The writer is bundled once with esbuild, so each of the 22 processes starts in plain Node.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writerOf } from '../../src/main/lab/files/atomicWrite'
import { ROOT, tempDir } from '../helpers/lab'
import { PYTHON } from '../helpers/python'

const TRIALS = 20
const base = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/torchlab-kill-') : tempDir('torchlab-kill-')
const dir = join(base, 'saves')
const snapshots = join(base, 'after-kills')
mkdirSync(dir)
mkdirSync(snapshots)
const target = join(dir, 'big.pth')
const writerScript = join(base, 'saveLoop.mjs')
beforeAll(async () => {
  await build({ entryPoints: [join(ROOT, 'tests/helpers/saveLoop.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: writerScript, logLevel: 'error' })
})

/** one long-lived PyTorch that loads a path per line and says which whole version it holds */
const LOADER = `
import json, sys, torch
for line in sys.stdin:
    try:
        sd = torch.load(line.strip(), weights_only=True)
        w, b = sd['0.weight'], sd['0.bias']
        v = float(w[0, 0])
        whole = list(sd.keys()) == ['0.weight', '0.bias'] and list(w.shape) == [5000, 5000] and bool((w == v).all()) and bool((b == v).all())
        print(json.dumps({'version': v, 'whole': whole}), flush=True)
    except Exception as e:
        print(json.dumps({'error': repr(e)}), flush=True)
`
const torch = spawn(PYTHON, ['-c', LOADER], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, OMP_NUM_THREADS: '1' } })
const answers = createInterface({ input: torch.stdout! })[Symbol.asyncIterator]()
afterAll(() => {
  torch.kill()
  rmSync(base, { recursive: true, force: true })
})

async function loadInTorch(path: string): Promise<{ version?: number; whole?: boolean; error?: string }> {
  torch.stdin!.write(path + '\n')
  const { value } = await answers.next()
  return JSON.parse(value as string)
}

const exited = (child: ChildProcess) =>
  new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())))

function startWriter(value: number, once = false): { child: ChildProcess; saves: (n: number) => Promise<void> } {
  const child = spawn(process.execPath, [writerScript, target, String(value), ...(once ? ['--once'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] })
  let saved = 0
  const waiting: { n: number; done: () => void }[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const match = /^saved (\d+)$/.exec(line)
    if (!match) return
    saved = Number(match[1])
    for (const w of waiting.filter((w) => saved >= w.n)) w.done()
  })
  const saves = (n: number) => Promise.race([new Promise<void>((done) => (saved >= n ? done() : waiting.push({ n, done }))), exited(child)])
  return { child, saves }
}

const ourTemps = () => readdirSync(dir).filter((name) => writerOf(name) !== undefined)

describe('a save killed mid-write', () => {
  it(`keeps the old file loadable in PyTorch and leaves no debris after the next save (${TRIALS} kills)`, async () => {
    await exited(startWriter(1, true).child)
    expect(await loadInTorch(target)).toEqual({ version: 1, whole: true })

    let debris: string[] = []
    let killedMidWrite = 0
    const checks: Promise<Awaited<ReturnType<typeof loadInTorch>>>[] = []
    for (let trial = 0; trial < TRIALS; trial++) {
      const writer = startWriter(2 + (trial % 2))
      // its first save has tidied the folder: the temporary file of the writer killed before is gone
      await writer.saves(1)
      expect(readdirSync(dir).filter((name) => debris.includes(name))).toEqual([])
      await new Promise((r) => setTimeout(r, Math.random() * 400))
      writer.child.kill('SIGKILL')
      await exited(writer.child)

      const snapshot = join(snapshots, `after-kill-${trial}.pth`)
      linkSync(target, snapshot)
      checks.push(loadInTorch(snapshot).finally(() => rmSync(snapshot)))
      debris = ourTemps()
      if (debris.length) killedMidWrite++
    }

    const last = startWriter(9, true)
    await exited(last.child)
    expect(readdirSync(dir)).toEqual(['big.pth'])
    expect(await loadInTorch(target)).toEqual({ version: 9, whole: true })
    const loaded = await Promise.all(checks)
    for (const after of loaded) expect(after).toEqual({ version: expect.any(Number), whole: true })
    // the kills really landed inside saves, and saves really replaced the file
    expect(killedMidWrite).toBeGreaterThan(0)
    expect(new Set(loaded.map((l) => l.version)).size).toBeGreaterThan(1)
    console.log(`kill-during-save: ${killedMidWrite} of ${TRIALS} kills left a temporary file; the target always loaded`)
  }, 600_000)
})
