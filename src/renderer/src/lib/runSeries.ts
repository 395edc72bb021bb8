/**
 * The window's copy of a run's decimated series, kept outside Svelte's deep state (a class
 * instance is never proxied): each pull appends at most a few points, and a version number in
 * the reactive run view tells the plots to redraw.
 */
import type { RunSnapshot, SeriesCursor, SeriesLayout } from '../../../shared/api'
import { DecimatedSeries } from '../../../shared/series'

export class RunSeries {
  private readonly epochs: DecimatedSeries
  private readonly steps = new DecimatedSeries(1, 'mean')

  constructor(readonly layout: SeriesLayout) {
    this.epochs = new DecimatedSeries(1 + (layout.validation ? 1 : 0) + layout.parameters, 'sample')
  }

  get cursor(): SeriesCursor {
    return { epochs: this.epochs.last, steps: this.steps.last }
  }

  apply(snapshot: Pick<RunSnapshot, 'epochSeries' | 'stepSeries'>): void {
    this.epochs.apply(snapshot.epochSeries)
    this.steps.apply(snapshot.stepSeries)
  }

  get epochX(): number[] {
    return this.epochs.x
  }

  get trainLoss(): number[] {
    return this.epochs.values[0]
  }

  get valLoss(): number[] {
    return this.layout.validation ? this.epochs.values[1] : []
  }

  /** the i-th flattened parameter per epoch */
  parameter(i: number): number[] {
    return this.epochs.values[this.epochs.width - this.layout.parameters + i] ?? []
  }

  /** the mean batch loss per bucket, at fractional epochs */
  batchLoss(stepsPerEpoch: number): { x: number[]; y: number[] } {
    return { x: this.steps.x.map((s) => s / stepsPerEpoch), y: this.steps.values[0] }
  }
}
