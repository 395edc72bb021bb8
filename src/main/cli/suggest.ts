/** "Did you mean": the name a typo most likely meant, or none when nothing is close. */

/** edits (insert, delete, substitute, swap two neighbours) from a to b */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/**
 * The closest name within a third of the typed word's length, rounded up (srch: search), or the
 * one name the word is the first half of (--batch: --batch-size). Case is ignored.
 */
export function closest(typed: string, names: readonly string[]): string | undefined {
  const word = typed.toLowerCase()
  const limit = Math.ceil(word.replace(/^-+/, '').length / 3)
  let best: { name: string; edits: number } | undefined
  for (const name of names) {
    const edits = distance(word, name.toLowerCase())
    if (edits <= limit && (best === undefined || edits < best.edits)) best = { name, edits }
  }
  if (best) return best.name
  const started = names.filter((name) => name.toLowerCase().startsWith(word) && 2 * word.length >= name.length)
  return started.length === 1 ? started[0] : undefined
}
