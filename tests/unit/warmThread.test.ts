/**
 * A finished run hands its training thread to the next run so that the next run's steps start in
 * code V8 has already optimised. That only pays if each run's objects have the shapes the last
 * run's code was optimised for: a new closure, a literal built differently on its second run, a
 * list of another elements kind, and V8 throws the code away at the next run's first steps.
 * Under --trace-deopt-verbose, which names the function and the source line of every
 * deoptimisation, none of the training thread's per-step methods may deoptimise in TorchLab's
 * code once the first (cold) run is over, nor may their code be dropped because a shape it
 * depended on changed. (The main thread's code is not held to it: it runs at the pace of the
 * window, and when V8 first optimises it is a matter of timing.)
 */
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
/** the methods a training thread runs every step or epoch, by the names V8 gives them */
const PER_STEP = new Set([
  'epoch',
  'next',
  'gather',
  'trainStep',
  'forward',
  'backward',
  'step',
  'add',
  'weights',
  'stateDict',
  'allFinite',
  'namedTensor',
  'reserve',
])

/** the per-step methods' deoptimisations and dropped code between a marker line and the fourth run's end */
async function deoptsAfter(mode: 'runs' | 'spare', from: RegExp): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--trace-deopt-verbose', '--import', 'tsx', join(ROOT, 'tests/helpers/warmRuns.ts'), mode],
    {
      cwd: ROOT,
      maxBuffer: 256 << 20,
    },
  )
  const lines = stdout.split('\n')
  // V8 writes its trace through a buffer of its own, so a marker can land inside one of its lines
  const ends = lines.flatMap((line, i) => (/run \d completed/.test(line) ? [i] : []))
  expect(ends).toHaveLength(4)
  const begin = lines.findIndex((line) => from.test(line))
  expect(begin).toBeGreaterThanOrEqual(0)
  // the trace is on and reads as this test expects: starting a process deoptimises some code (Node's own, at least)
  expect(lines.some((line) => /deoptimize at </.test(line))).toBe(true)
  // each per-step method's deoptimisation, with its reason and the TorchLab line it left
  let bailout: RegExpExecArray | null = null
  const ours: string[] = []
  for (const line of lines.slice(begin + 1, ends[3])) {
    bailout = /reason: ([^)]*)\).*<JSFunction (\w+) /.exec(line) ?? bailout
    const at = /deoptimize at <file:\/\/[^>]*?\/(src\/[^?>:]+)/.exec(line)
    if (at && bailout && PER_STEP.has(bailout[2])) ours.push(`${bailout[2]} at ${at[1]}: ${bailout[1]}`)
    const dropped = /marking dependent code .*<SharedFunctionInfo (\w+)>.*reason: ([^\]]*)/.exec(line)
    if (dropped && PER_STEP.has(dropped[1])) ours.push(`${dropped[1]}: ${dropped[2]}`)
  }
  return ours
}

describe('a warm training thread', () => {
  it('keeps the code it optimised in one run for the next runs', async () => {
    expect(await deoptsAfter('runs', /run 0 completed/)).toEqual([])
  }, 120_000)

  // the warm-up's runs are built as a student's are (trainStart, engineConfig): a start with one
  // key more or in another order made V8 drop epoch's and trainStep's code at the first real step
  it("keeps the code a spare thread optimised while warming up for the student's first run", async () => {
    expect(await deoptsAfter('spare', /(^|\W)warm$/)).toEqual([])
  }, 120_000)
})
