/**
 * Ctrl+C in `lab`. Before a command has work to stop, it quits at once with 130 (128 + SIGINT).
 * Once a run or search has started, it calls what the command gave onPress: the run stops,
 * the command reports what it had, saves nothing a stopped run would leave half-trained, and
 * exits 130 so a script can tell; once the run has ended, its report and save are finished.
 *
 * The listener stays for the whole process and acts on the first press only. Later presses
 * change nothing, and neither does the copy of the signal that conf's exit hook (when-exit,
 * loaded when settings are remembered) sends to the process after its own listener runs: with
 * no listener of ours left, that copy would kill the process halfway through its report.
 */
export const INTERRUPTED = 130

export interface Interrupts {
  /** from now on, Ctrl+C calls act (which says what it does) instead of quitting */
  onPress(act: (note: (sentence: string) => void) => void): void
}

type SignalProcess = Pick<NodeJS.Process, 'on' | 'exit'> & { stderr: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> }

export function listenForInterrupts(proc: SignalProcess): Interrupts {
  let pressed = false
  let act: ((note: (sentence: string) => void) => void) | undefined
  // a terminal's ^C lands at the end of the progress bar's line
  const note = (sentence: string): void => void proc.stderr.write(`${proc.stderr.isTTY ? '\n' : ''}${sentence}\n`)
  proc.on('SIGINT', () => {
    if (pressed) return
    pressed = true
    if (act) return act(note)
    note('Stopped by Ctrl+C.')
    proc.exit(INTERRUPTED)
  })
  return {
    onPress: (action) => {
      act = action
    },
  }
}
