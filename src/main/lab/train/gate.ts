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

/**
 * A class, not a closure: the loop calls `next()` at every step, and a method is one function
 * for every run's gate, where each run's closure would be a new call target that throws away
 * the loop's optimised code.
 */
export class ControlGate implements Gate {
  private paused = false
  private stepped = false
  /** the sequence number of the last answer that needs no further look while it stands (-1: none) */
  private clearAt = -1
  /** the pace's schedule: steps taken since `since`, restarted whenever the pace changes or the run pauses */
  private schedule: { since: number; steps: number; pace: number }

  constructor(
    private readonly control: Int32Array,
    private readonly reporter: GateReporter,
    private readonly stepsPerEpoch: number,
    private readonly clock: Clock,
    private readonly frameMs: number,
  ) {
    this.schedule = { since: clock(), steps: 0, pace: -1 }
    const seq = Atomics.load(control, CONTROL.SEQ)
    this.clearWhileFree(seq, Atomics.load(control, CONTROL.CMD), Atomics.load(control, CONTROL.PACE))
  }

  /**
   * A run that is told to go as fast as it can needs no look until the next command. Asked at
   * the start too: the first step of every run would otherwise take a branch that the code a warm
   * thread optimised during its last run has no feedback for, and throw that code away.
   */
  private clearWhileFree(seq: number, cmd: number, pace: number): boolean {
    if (cmd !== CMD.RUN || pace !== 0 || this.paused) return false
    this.clearAt = seq
    return true
  }

  next(): 'run' | 'stop' {
    if (Atomics.load(this.control, CONTROL.SEQ) === this.clearAt) return 'run'
    this.clearAt = -1
    return this.decide()
  }

  private decide(): 'run' | 'stop' {
    const { control, reporter, clock } = this
    if (this.stepped) {
      // a single step taken while paused is shown at once
      this.stepped = false
      reporter.flush()
    }
    for (;;) {
      // read the sequence first: a command written after this read changes it, so the waits below cannot miss it
      const seq = Atomics.load(control, CONTROL.SEQ)
      const cmd = Atomics.load(control, CONTROL.CMD)
      if (cmd === CMD.STOP) return 'stop'
      if (cmd === CMD.RUN) {
        if (this.paused) {
          this.paused = false
          this.schedule = { since: clock(), steps: 0, pace: -1 }
          reporter.flush('running')
        }
        // each word read once a pass: a command landing between two reads could not then pair a run with no pace
        const pace = Atomics.load(control, CONTROL.PACE)
        if (this.clearWhileFree(seq, cmd, pace)) return 'run'
        const now = clock()
        if (pace !== this.schedule.pace) this.schedule = { since: now, steps: 0, pace }
        const schedule = this.schedule
        const due = schedule.since + (schedule.steps / (pace * this.stepsPerEpoch)) * 1000
        if (now >= due) {
          if (now - due > PACE_SLACK_MS) this.schedule = { since: now, steps: 0, pace }
          this.schedule.steps++
          return 'run'
        }
        Atomics.wait(control, CONTROL.SEQ, seq, Math.min(due - now, this.frameMs))
        reporter.tick()
        continue
      }
      if (!this.paused) {
        this.paused = true
        reporter.flush('paused')
      }
      if (Atomics.load(control, CONTROL.CREDITS) > 0) {
        Atomics.sub(control, CONTROL.CREDITS, 1)
        this.stepped = true
        return 'run'
      }
      const t0 = clock()
      Atomics.wait(control, CONTROL.SEQ, seq, PAUSED_WAKE_MS)
      reporter.addPause(clock() - t0)
    }
  }
}
