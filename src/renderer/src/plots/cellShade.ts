/** the colours of a table cell that is right (a correct class, a well-ranked setting) or wrong */
export const RIGHT = '46, 125, 50'
export const WRONG = '198, 40, 40'

/**
 * A cell's background as strong as its share `t` (0 to 1) of the strongest. At most 70% of the
 * colour: the strongest cell's text keeps WCAG's 4.5:1 on it in either theme (at 100% the best
 * setting's score read at 3.3:1).
 */
export function cellShade(colour: string, t: number): string {
  return `rgba(${colour}, ${(0.15 + 0.55 * t).toFixed(3)})`
}
