/**
 * What a chart hands plotly: a copy of its traces and layout made of plain objects and arrays,
 * with Svelte's state proxies read through. Plotly keeps what it is given and compares arrays by
 * identity, so each draw needs arrays of its own. `$state.snapshot` would do, but it passes every
 * number of every series through structuredClone: thousands of calls a draw while a run trains.
 */
export function plainCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(plainCopy) as T
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) copy[key] = plainCopy(v)
    return copy as T
  }
  return value
}
