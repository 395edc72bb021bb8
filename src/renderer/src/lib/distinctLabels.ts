/**
 * Labels cut down to what tells them apart: the ' · ' parts every label shares are left out
 * ("SGD lr 0.1" and "SGD lr 0.02" of two runs on the same data and model). A label left
 * empty that way, or the only one, is kept whole.
 */
const SEPARATOR = ' · '

export function distinctLabels(labels: readonly string[]): string[] {
  if (labels.length < 2) return [...labels]
  const parts = labels.map((label) => label.split(SEPARATOR))
  const shared = parts[0].filter((part) => parts.every((p) => p.includes(part)))
  return parts.map((p, i) => p.filter((part) => !shared.includes(part)).join(SEPARATOR) || labels[i])
}
