/** A one-line progress bar on a terminal's stderr, redrawn at most ten times a second. */
export function progressBar(stream: NodeJS.WriteStream) {
  let last = 0
  return {
    /** done of total, then what the numbers are (epoch and loss of a run, fits and best score of a search) */
    update(done: number, total: number, detail: string): void {
      const now = performance.now()
      if (now - last < 100 && done < total) return
      last = now
      const width = 30
      const fraction = total > 0 ? Math.min(1, done / total) : 0
      const filled = Math.round(fraction * width)
      stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}`)
    },
    end(): void {
      stream.write('\n')
    },
  }
}
