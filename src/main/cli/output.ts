/**
 * What `lab` does when its output cannot be written. A reader that went away (`lab … | head -1`)
 * ends the command quietly with 141, the status of a Unix tool stopped by SIGPIPE. Any other
 * failure (`> file` on a full disk) is one sentence on stderr and status 1, never a stack trace.
 */
export const CLOSED_PIPE = 141

type OutputProcess = Pick<NodeJS.Process, 'exit'> & { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }

export function exitWhenOutputFails(proc: OutputProcess): void {
  const failed = (which: 'stdout' | 'stderr') => (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') proc.exit(CLOSED_PIPE)
    if (which === 'stdout') proc.stderr.write(`error: the output could not be written (${err.message}), so what was printed is incomplete.\n`)
    proc.exit(1)
  }
  proc.stdout.on('error', failed('stdout'))
  proc.stderr.on('error', failed('stderr'))
}
