import type Plotly from 'plotly.js-basic-dist-min'

/**
 * A class target's axis in a data scatter: the points sit at the class indices the model is
 * trained on, the ticks read the class names the student's file holds ("Gentoo", not 2).
 */
export function classTicks(classes: string[] | undefined): Partial<Plotly.LayoutAxis> {
  return classes ? { tickmode: 'array', tickvals: classes.map((_, i) => i), ticktext: classes } : {}
}
