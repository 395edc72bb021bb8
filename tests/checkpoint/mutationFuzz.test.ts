/**
 * Mutation fuzzing of real .pth files (torch's fixtures, and a state_dict and a checkpoint TorchLab
 * wrote) through the path the window uses: LabService.openCheckpoint, whose parse runs in the
 * sandbox's worker. tests/checkpoint/pthMutations.ts damages them where their structure is (zip
 * records, pickle opcodes, tensor bytes with their checksums kept right). Each case must end in
 * values torch 1.13 reads the same way from the same bytes, or a LabError whose sentence names what
 * is wrong, within a time bound and without the process's memory running away: never a crash, a
 * hang, a stack trace or another error. torch reads every case too (tests/helpers/torch_load_all.py).
 *
 * CI runs a fixed-seed slice; `FUZZ_CASES=20000 FUZZ_SEED=7 npx vitest run tests/checkpoint/mutationFuzz.test.ts`
 * runs a big one and prints its counts by outcome.
 */
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CheckpointInfo } from '../../src/shared/api'
import { LabError } from '../../src/shared/errors'
import { createService, ROOT, tempDir } from '../helpers/lab'
import { PYTHON } from '../helpers/python'
import { mutatedPths, type Mutant } from './pthMutations'

const CASES = Number(process.env.FUZZ_CASES ?? 1200)
const SEED = Number(process.env.FUZZ_SEED ?? 20261129)
/** one file's read, on this loaded two-core machine: the sandbox's own limit for files this small is 2 s */
const MAX_MS = 5_000
const MAX_RSS_GROWTH = 768 * 2 ** 20

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-mutants-')

type TorchTensor = { dtype: string; shape: number[]; values: (number | string)[] }
type TorchOutcome = { tensors: Record<string, TorchTensor> } | { error: string }
type Outcome = { read: CheckpointInfo } | { refused: LabError }

/** the files the damage starts from: every .pth torch wrote for the course's fixtures, and two TorchLab wrote */
async function seeds(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const fixtures = resolve(ROOT, '../shared/fixtures/pth')
  const files = readdirSync(fixtures)
    .filter((f) => f.endsWith('.pth'))
    .map((f) => ({ name: f, bytes: readFileSync(join(fixtures, f)) }))
  const { runId } = await service.startTraining({
    dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt', 'hp'], target: 'mpg' },
    model: { kind: 'mlp', hidden: [{ units: 3, activation: 'ReLU' }] },
    train: { optimizer: { name: 'Adam', lr: 0.01 }, epochs: 3, batchSize: 8 },
  })
  await service.waitForRun(runId)
  for (const kind of ['state_dict', 'checkpoint'] as const) {
    const path = join(dir, `torchlab_${kind}.pth`)
    await service.saveRun({ runId, path, kind })
    files.push({ name: `torchlab_${kind}.pth`, bytes: readFileSync(path) })
  }
  return files
}

function torchReads(paths: string[]): Promise<TorchOutcome[]> {
  return new Promise((done, fail) => {
    const child = execFile(PYTHON, [join(ROOT, 'tests/helpers/torch_load_all.py')], { maxBuffer: 1024 ** 3, env: { ...process.env, OMP_NUM_THREADS: '1' } }, (err, stdout) => {
      if (err) return fail(err)
      done(stdout.trim().split('\n').map((line) => JSON.parse(line) as TorchOutcome))
    })
    child.stdin!.end(JSON.stringify(paths))
  })
}

/** what is wrong with TorchLab's read of a file torch read too, or '' when every tensor is torch's */
function compare(info: CheckpointInfo, torch: TorchOutcome): string {
  if ('error' in torch) return `TorchLab read it, torch refused it: ${torch.error}`
  const prefix = info.key ?? (info.stateDicts.length === 1 ? info.stateDicts[0].path : '')
  for (const t of info.tensors) {
    const path = prefix ? `${prefix}.${t.key}` : t.key
    const theirs = torch.tensors[path]
    if (!theirs) return `TorchLab has a tensor ${path} that torch has not (torch has ${Object.keys(torch.tensors).slice(0, 8).join(', ')})`
    if (theirs.dtype !== t.dtype || JSON.stringify(theirs.shape) !== JSON.stringify(t.shape)) return `${path}: TorchLab ${t.dtype}${JSON.stringify(t.shape)}, torch ${theirs.dtype}${JSON.stringify(theirs.shape)}`
    const ours = t.values ?? []
    const differs = ours.findIndex((v, k) => {
      const w = theirs.values[k]
      return typeof w === 'string' ? String(v) !== { nan: 'NaN', inf: 'Infinity', '-inf': '-Infinity' }[w] : v !== w
    })
    if (differs >= 0) return `${path}[${differs}]: TorchLab ${ours[differs]}, torch ${theirs.values[differs]}`
  }
  return ''
}

/** what is wrong with a refusal, or '' when it is a sentence a student can act on */
function judgeRefusal(err: LabError): string {
  const text = JSON.stringify(err.info)
  if (err.info.code === 'INTERNAL') return `an internal error: ${err.message}`
  if (/\\n\s+at |node_modules|\.ts\b|\.js\b|[A-Z][a-z]+Error:/.test(text) || text.includes(ROOT)) return `a stack trace or TorchLab's own path: ${err.message}`
  if (!/^[A-Z"'(].*[.?)]$/s.test(err.message) || err.message.length < 20 || err.message.length > 700) return `not a sentence: ${err.message}`
  return ''
}

describe('mutated .pth files through the window’s reader', () => {
  it(`${CASES} damaged files (seed ${SEED}) each end in torch's values or a sentence`, async () => {
    const mutants: Mutant[] = mutatedPths(await seeds(), CASES, SEED)
    const outcomes: Outcome[] = []
    const problems: string[] = []
    const rssBefore = process.memoryUsage().rss
    let peakRss = rssBefore
    let slowest = 0
    for (const [i, m] of mutants.entries()) {
      const path = join(dir, `${i}.pth`)
      writeFileSync(path, m.bytes)
      const started = performance.now()
      try {
        outcomes.push({ read: await service.openCheckpoint(path, { values: true }) })
      } catch (err) {
        if (!(err instanceof LabError)) {
          problems.push(`${i} ${m.what}: threw ${String(err)}`)
          outcomes.push({ refused: new LabError({ code: 'INTERNAL', message: String(err) }) })
          continue
        }
        outcomes.push({ refused: err })
        const wrong = judgeRefusal(err)
        if (wrong) problems.push(`${i} ${m.what}: ${wrong}`)
      }
      const ms = performance.now() - started
      slowest = Math.max(slowest, ms)
      if (ms > MAX_MS) problems.push(`${i} ${m.what}: took ${ms.toFixed(0)} ms`)
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }
    const torch = await torchReads(mutants.map((_, i) => join(dir, `${i}.pth`)))
    expect(torch).toHaveLength(mutants.length)

    const counts: Record<string, number> = {}
    const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1)
    const torchOnly: string[] = []
    for (const [i, outcome] of outcomes.entries()) {
      const theirs = torch[i]
      if ('read' in outcome) {
        const wrong = compare(outcome.read, theirs)
        if (wrong) problems.push(`${i} ${mutants[i].what}: ${wrong}`)
        count(wrong ? 'read, but not as torch' : 'read as torch reads it')
      } else if ('error' in theirs) count(`both refuse (TorchLab ${outcome.refused.info.code})`)
      else {
        count(`TorchLab refuses what torch reads (${outcome.refused.info.code})`)
        if (torchOnly.length < 12) torchOnly.push(`${i} ${mutants[i].what}: ${outcome.refused.message.slice(0, 160)}`)
      }
    }
    const byKind: Record<string, Record<string, number>> = {}
    for (const [i, m] of mutants.entries()) {
      const o = outcomes[i]
      const key = 'read' in o ? 'read' : o.refused.info.code
      byKind[m.kind] ??= {}
      byKind[m.kind][key] = (byKind[m.kind][key] ?? 0) + 1
    }
    console.log(
      [
        `mutation fuzz: ${mutants.length} cases, seed ${SEED}; slowest read ${slowest.toFixed(0)} ms; resident memory grew ${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MB at most`,
        ...Object.entries(counts).map(([k, n]) => `  ${n}  ${k}`),
        '  by mutation: ' + JSON.stringify(byKind),
        ...(torchOnly.length ? ['  TorchLab refuses, torch reads (first few):', ...torchOnly.map((s) => `    ${s}`)] : []),
      ].join('\n'),
    )
    expect(problems.slice(0, 20)).toEqual([])
    expect(peakRss - rssBefore).toBeLessThan(MAX_RSS_GROWTH)
    // the damage reaches the reader's every layer: some files are still read, most are refused
    expect(counts['read as torch reads it']).toBeGreaterThan(CASES / 50)
    expect(outcomes.filter((o) => 'refused' in o).length).toBeGreaterThan(CASES / 2)
    // and the lab still reads an undamaged file
    expect((await service.openCheckpoint(join(dir, 'torchlab_checkpoint.pth'))).kind).toBe('checkpoint')
  }, 600_000)
})
