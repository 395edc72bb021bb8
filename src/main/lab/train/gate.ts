/**
 * The training thread's answer to its control words before every step: stop, run, or wait
 * (paused, or ahead of the pace). Every wait sleeps on the control sequence, so a command
 * wakes it at once. While nothing has been written since the last answer and the run goes
 * as fast as it can, the answer is one atomic read: the per-step path costs nothing more.
 */
import type { Gate } from './loop'
import { CMD, CONTROL } from './protocol'
import type { Clock } from './progress'

/** a paced run that fell this far behind (a slow step) starts its schedule again rather than rushing to catch up */
const PACE_SLACK_MS = 100
/** a paused run still reports this often (its elapsed time does not move, its status shows) */
const PAUSED_WAKE_MS = 100

/** what the gate needs of the progress reporter */
export interface GateReporter {
  flush(status?: 'running' | 'paused'): void
  tick(): void
  addPause(ms: number): void
}

export function controlGate(
  control: Int32Array,
  reporter: GateReporter,
  stepsPerEpoch: number,
  clock: Clock,
  frameMs: number,
): Gate {
  let paused = false
  let stepped = false
  // the sequence number of the last answer that needs no further look while it stands (-1: none)
  let clearAt = -1
  // the pace's schedule: steps taken since `since`, restarted whenever the pace changes or the run pauses
  let schedule = { since: clock(), steps: 0, pace: -1 }

  const decide = (): 'run' | 'stop' => {
    if (stepped) {
      // a single step taken while paused is shown at once
      stepped = false
      reporter.flush()
    }
    for (;;) {
      // read the sequence first: a command written after this read changes it, so the waits below cannot miss it
      const seq = Atomics.load(control, CONTROL.SEQ)
      const cmd = Atomics.load(control, CONTROL.CMD)
      if (cmd === CMD.STOP) return 'stop'
      if (cmd === CMD.RUN) {
        if (paused) {
          paused = false
          schedule = { since: clock(), steps: 0, pace: -1 }
          reporter.flush('running')
        }
        const pace = Atomics.load(control, CONTROL.PACE)
        const now = clock()
        if (pace !== schedule.pace) schedule = { since: now, steps: 0, pace }
        if (pace === 0) {
          clearAt = seq
          return 'run'
        }
        const due = schedule.since + (schedule.steps / (pace * stepsPerEpoch)) * 1000
        if (now >= due) {
          if (now - due > PACE_SLACK_MS) schedule = { since: now, steps: 0, pace }
          schedule.steps++
          return 'run'
        }
        Atomics.wait(control, CONTROL.SEQ, seq, Math.min(due - now, frameMs))
        reporter.tick()
        continue
      }
      if (!paused) {
        paused = true
        reporter.flush('paused')
      }
      if (Atomics.load(control, CONTROL.CREDITS) > 0) {
        Atomics.sub(control, CONTROL.CREDITS, 1)
        stepped = true
        return 'run'
      }
      const t0 = clock()
      Atomics.wait(control, CONTROL.SEQ, seq, PAUSED_WAKE_MS)
      reporter.addPause(clock() - t0)
    }
  }

  return () => {
    if (Atomics.load(control, CONTROL.SEQ) === clearAt) return 'run'
    clearAt = -1
    return decide()
  }
}
