/** "Did you mean": the name a typo most likely meant, or none when nothing is close. */
import { editDistance } from '../../shared/editDistance'

/**
 * The closest name within a third of the typed word's length, rounded up (srch: search), or the
 * one name the word is the first half of (--batch: --batch-size). Case is ignored.
 */
export function closest(typed: string, names: readonly string[]): string | undefined {
  const word = typed.toLowerCase()
  const limit = Math.ceil(word.replace(/^-+/, '').length / 3)
  let best: { name: string; edits: number } | undefined
  for (const name of names) {
    const edits = editDistance(word, name.toLowerCase())
    if (edits <= limit && (best === undefined || edits < best.edits)) best = { name, edits }
  }
  if (best) return best.name
  const started = names.filter((name) => name.toLowerCase().startsWith(word) && 2 * word.length >= name.length)
  return started.length === 1 ? started[0] : undefined
}
