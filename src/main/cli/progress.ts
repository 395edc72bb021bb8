/** A one-line progress bar on a terminal's stderr, redrawn at most ten times a second. */
export function progressBar(stream: NodeJS.WriteStream) {
  let last = 0
  return {
    update(step: number, total: number, epoch: number, epochs: number, loss: number | undefined, seconds: number): void {
      const now = performance.now()
      if (now - last < 100 && step < total) return
      last = now
      const width = 30
      const fraction = total > 0 ? Math.min(1, step / total) : 0
      const filled = Math.round(fraction * width)
      const lossText = loss === undefined ? '' : ` loss ${loss.toPrecision(6)}`
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% epoch ${epoch}/${epochs}${lossText} ${seconds.toFixed(1)}s`,
      )
    },
    end(): void {
      stream.write('\n')
    },
  }
}
