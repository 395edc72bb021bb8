/**
 * Ctrl+C (SIGINT) and SIGTERM (`kill`, a scheduler's time limit) in `lab`. Before a command has
 * work to stop, the first quits at once with 128 + the signal's number (130, 143). Once a run or
 * search has started, it calls what the command gave onPress: the run stops, the command reports
 * what it had, saves nothing a stopped run would leave half-trained, and exits with that status
 * so a script can tell; once the run has ended, its report and save are finished.
 *
 * A second signal, or the first before there is work to stop, quits at once: the command says
 * what was kept (and removes the temporary file of a save it cut short) through whenForced.
 *
 * conf's exit hook (when-exit, loaded once settings are remembered) listens too, and on the
 * first signal it sees sends the process a copy of that signal after its listener runs. That copy
 * is nobody's second press: a signal that finds another listener beside ours the first time
 * brings one copy, which is ignored.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM'

export const STOPPED_BY: Record<StopSignal, { said: string; exit: number }> = {
  SIGINT: { said: 'Ctrl+C', exit: 130 },
  SIGTERM: { said: 'SIGTERM', exit: 143 },
}

export type Note = (sentence: string) => void

export interface Interrupts {
  /** from now on, the first signal calls act (which says what it does, with the signal's name) instead of quitting */
  onPress(act: (note: Note, said: string) => void): void
  /** from now on, a signal that quits says what kept() returns (which tidies what it must) first */
  whenForced(kept: () => string): void
  /** the signal that stopped the command, once one has */
  stoppedBy(): { said: string; exit: number } | undefined
}

type SignalProcess = Pick<NodeJS.Process, 'on' | 'exit' | 'listeners'> & { stderr: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> }

export function listenForInterrupts(proc: SignalProcess): Interrupts {
  let first: StopSignal | undefined
  let echoExpected: StopSignal | undefined
  let echoSeen = false
  let act: ((note: Note, said: string) => void) | undefined
  let kept: (() => string) | undefined
  // a terminal's ^C lands at the end of the progress bar's line
  const note: Note = (sentence) => void proc.stderr.write(`${proc.stderr.isTTY ? '\n' : ''}${sentence}\n`)
  const listener = (signal: StopSignal) => () => {
    if (!echoSeen && echoExpected === signal) {
      echoSeen = true
      echoExpected = undefined
      return
    }
    if (!echoSeen && echoExpected === undefined && proc.listeners(signal).some((l) => l !== listeners[signal])) echoExpected = signal
    const { said } = STOPPED_BY[signal]
    const again = first !== undefined
    first ??= signal
    if (!again && act) return act(note, said)
    note(`${again ? `${said} again: quitting now.` : `Stopped by ${said}.`}${kept ? ` ${kept()}` : ''}`)
    proc.exit(STOPPED_BY[first].exit)
  }
  const listeners: Record<StopSignal, () => void> = { SIGINT: listener('SIGINT'), SIGTERM: listener('SIGTERM') }
  proc.on('SIGINT', listeners.SIGINT)
  proc.on('SIGTERM', listeners.SIGTERM)
  return {
    onPress: (action) => {
      act = action
    },
    whenForced: (sentence) => {
      kept = sentence
    },
    stoppedBy: () => (first === undefined ? undefined : STOPPED_BY[first]),
  }
}
