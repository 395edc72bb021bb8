/**
 * Progress on stderr, only where someone watches it: a terminal. A log file or a pipe (stderr not
 * a TTY) gets none, so `lab train 2> run.log` holds no carriage returns. A terminal redraws one
 * line at most ten times a second, cut to its width (a line longer than the terminal wraps, and
 * every redraw would then leave a line behind); a dumb terminal (TERM=dumb: an editor's shell,
 * which may not move back on \r) gets a plain line at each tenth of the way instead.
 */
type ProgressStream = Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'>

export interface Progress {
  /** done of total, then what the numbers are (epoch and loss of a run, fits and best score of a search) */
  update(done: number, total: number, detail: string): void
  end(): void
}

const BAR = 30
/** what a terminal that reports no width (a pty nobody sized) is taken to have */
const DEFAULT_COLUMNS = 80

export function progressFor(stream: ProgressStream, term: string | undefined): Progress | undefined {
  if (!stream.isTTY) return undefined
  return term === 'dumb' ? progressLines(stream) : progressBar(stream)
}

function progressLines(stream: ProgressStream): Progress {
  let shownTenth = -1
  return {
    update(done, total, detail) {
      const tenth = total > 0 ? Math.floor((10 * Math.min(done, total)) / total) : 0
      if (tenth === shownTenth) return
      shownTenth = tenth
      stream.write(`${String(total > 0 ? Math.floor((100 * Math.min(done, total)) / total) : 0).padStart(3)}% ${detail}\n`)
    },
    end() {},
  }
}

function progressBar(stream: ProgressStream): Progress {
  let last = 0
  let drawn = false
  return {
    update(done, total, detail) {
      const now = performance.now()
      if (now - last < 100 && done < total) return
      last = now
      const fraction = total > 0 ? Math.min(1, done / total) : 0
      const percent = `${(fraction * 100).toFixed(0).padStart(3)}%`
      // one column short of the width: writing into the last column wraps on some terminals
      const room = (stream.columns || DEFAULT_COLUMNS) - 1
      const width = Math.max(0, Math.min(BAR, room - percent.length - 3 - detail.length))
      const filled = Math.round(fraction * width)
      const bar = width > 0 ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : ''
      stream.write(`\r${`${bar}${percent} ${detail}`.slice(0, room).padEnd(room)}`)
      drawn = true
    },
    end() {
      if (drawn) stream.write('\n')
    },
  }
}
