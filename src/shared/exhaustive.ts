/**
 * The default branch of a switch over a catalogue's names: a name the switch forgot fails to
 * compile here, and a value from outside the catalogue (an old file, a bad message) fails loudly.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unknown ${what}: ${JSON.stringify(value)}`)
}
