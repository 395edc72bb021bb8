/**
 * A finished run hands its training thread to the next run so that the next run's steps start in
 * code V8 has already optimised. That only pays if each run's objects have the shapes the last
 * run's code was optimised for: a new closure, a literal built differently on its second run, a
 * list of another elements kind, and V8 throws the code away at the next run's first steps.
 * Under --trace-deopt-verbose, which names the source of every deoptimisation, no function of
 * TorchLab's may deoptimise once the first (cold) run is over, nor may the per-step methods' code
 * be dropped because a shape it depended on changed.
 */
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
/** the methods a step or an epoch runs: code V8 throws away without a bailout (a shape it depended on changed) names only its function */
const PER_STEP = new Set([
  'epoch',
  'next',
  'gather',
  'trainStep',
  'forward',
  'backward',
  'step',
  'add',
  'apply',
  'stateDict',
  'allFinite',
  'namedTensor',
  'reserve',
])

describe('a warm training thread', () => {
  it('keeps the code it optimised in one run for the next runs', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--trace-deopt-verbose', '--import', 'tsx', join(ROOT, 'tests/helpers/warmRuns.ts')],
      {
        cwd: ROOT,
        maxBuffer: 256 << 20,
      },
    )
    const lines = stdout.split('\n')
    // V8 writes its trace through a buffer of its own, so a marker can land inside one of its lines
    const ends = lines.flatMap((line, i) => (/run \d completed/.test(line) ? [i] : []))
    expect(ends).toHaveLength(4)
    // the trace is on and reads as this test expects: the cold first run deoptimises code of TorchLab's too
    expect(lines.slice(0, ends[0]).some((line) => /deoptimize at <file:\/\/[^>]*?\/src\//.test(line))).toBe(true)
    // every deoptimisation's reason and the TorchLab source line it left, after the first run
    let reason = ''
    const ours: string[] = []
    for (const line of lines.slice(ends[0] + 1, ends[3])) {
      reason = /reason: ([^)]*)\)/.exec(line)?.[1] ?? reason
      const at = /deoptimize at <file:\/\/[^>]*?\/(src\/[^?>:]+)/.exec(line)
      if (at) ours.push(`${at[1]}: ${reason}`)
      const dropped = /marking dependent code .*<SharedFunctionInfo (\w+)>.*reason: ([^\]]*)/.exec(line)
      if (dropped && PER_STEP.has(dropped[1])) ours.push(`${dropped[1]}: ${dropped[2]}`)
    }
    expect(ours).toEqual([])
  }, 120_000)
})
