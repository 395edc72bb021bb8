/**
 * What a training thread keeps of its run and reports: the latest epoch, every epoch's losses
 * since the last report, and the decimated series, sent at most ~30 times a second (never per
 * epoch). step() is on the per-step path, so it reads the clock only every `stride` steps,
 * with the stride chosen so that a read comes about every millisecond whatever a step costs.
 */
import type { RunStatus } from '../../../shared/api'
import { DecimatedSeries } from '../../../shared/series'
import type { StateDict } from '../model/stateDict'
import type { LoopSink } from './loop'
import { LossLog } from './lossLog'
import type { ProgressReport } from './protocol'

export const FLUSH_MS = 33
/** the clock is read about this often while steps run; a report is never later than FLUSH_MS plus this */
const CLOCK_MS = 1
const MAX_STRIDE = 1 << 12

export type Clock = () => number

export class ProgressReporter implements LoopSink {
  private readonly epochSeries: DecimatedSeries
  private readonly stepSeries = new DecimatedSeries(1, 'mean')
  private readonly row: Float64Array
  private readonly stepRow = new Float64Array(1)
  private sent = { epochs: 0, steps: 0 }
  private readonly trainLosses = new LossLog()
  private readonly valLosses = new LossLog()
  private latest: { epoch: number; trainLoss?: number; valLoss?: number } = { epoch: 0 }
  private steps = 0
  private lastFlush: number
  private lastRead: number
  private stride = 1
  private untilRead = 1
  private pausedFor = 0
  private current: RunStatus = 'running'

  constructor(
    private readonly layout: { validation: boolean; parameters: number },
    private readonly post: (report: ProgressReport) => void,
    private readonly clock: Clock,
    private readonly startedAt = clock(),
  ) {
    this.epochSeries = new DecimatedSeries(1 + (layout.validation ? 1 : 0) + layout.parameters, 'sample')
    this.row = new Float64Array(this.epochSeries.width)
    this.lastFlush = this.lastRead = startedAt
  }

  step(loss: number): void {
    this.steps++
    this.stepRow[0] = loss
    this.stepSeries.add(this.stepRow)
    if (--this.untilRead === 0) this.readClock()
  }

  private readClock(): void {
    const now = this.clock()
    const since = now - this.lastRead
    this.lastRead = now
    if (since < CLOCK_MS / 2) this.stride = Math.min(this.stride * 2, MAX_STRIDE)
    else if (since > CLOCK_MS * 2) this.stride = Math.max(1, this.stride >> 1)
    this.untilRead = this.stride
    if (now - this.lastFlush >= FLUSH_MS) this.flush()
  }

  epoch(epoch: number, trainLoss: number, valLoss: number | undefined, weights: StateDict): void {
    this.latest = { epoch, trainLoss, valLoss }
    this.trainLosses.add(trainLoss)
    this.row[0] = trainLoss
    if (valLoss !== undefined) {
      this.valLosses.add(valLoss)
      this.row[1] = valLoss
    }
    if (this.layout.parameters > 0) {
      let at = this.row.length - this.layout.parameters
      for (const { data } of weights) {
        this.row.set(data, at)
        at += data.length
      }
    }
    this.epochSeries.add(this.row)
  }

  /** seconds of training so far, paused time left out */
  active(): number {
    return (this.clock() - this.startedAt - this.pausedFor) / 1000
  }

  addPause(ms: number): void {
    this.pausedFor += ms
  }

  /** flushes if a frame's time has passed: a paced or paused run still reports ~30 times a second */
  tick(): void {
    if (this.clock() - this.lastFlush >= FLUSH_MS) this.flush()
  }

  flush(status: RunStatus = this.current): void {
    this.current = status
    const epochSeries = this.epochSeries.since(this.sent.epochs)
    const stepSeries = this.stepSeries.since(this.sent.steps)
    this.sent = { epochs: this.epochSeries.last, steps: this.stepSeries.last }
    const { epoch, trainLoss, valLoss } = this.latest
    this.post({
      status,
      epoch,
      step: this.steps,
      elapsedSeconds: this.active(),
      trainLoss,
      valLoss,
      // the last epoch's weights as its row of the series holds them, flattened here ~30 times a second rather than every epoch
      params:
        this.layout.parameters > 0 && epoch > 0
          ? Array.from(this.row.subarray(this.row.length - this.layout.parameters))
          : undefined,
      trainLosses: this.trainLosses.take(),
      valLosses: this.valLosses.take(),
      epochSeries,
      stepSeries,
    })
    this.lastFlush = this.clock()
  }
}
