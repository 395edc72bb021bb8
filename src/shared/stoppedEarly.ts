/**
 * What a run stopped by the student left to measure: the weights of the step it reached, not
 * of the epochs it was asked for. The Evaluate panel says so above the numbers, and the CLI's
 * "Stopped by Ctrl+C …" says where in the same words (stopPoint). A stop between two batches of an epoch is said
 * as such: those weights are not the end of the last epoch the plots show (with batches of two
 * cars, the weight swings from −5.4 to −4.2 within one epoch of the lecture).
 */
import type { RunSummary } from './api'

export interface StoppedEarly {
  /** the sentence above the metrics */
  note: string
  /** the metrics row's name in place of "trained model" */
  row: string
}

type Stopped = Pick<RunSummary, 'epochsCompleted' | 'steps' | 'stepsPerEpoch' | 'train'>

/** batches of the next epoch a stop came after: 0 when it came between two epochs */
const batchesInto = ({ epochsCompleted, steps, stepsPerEpoch }: Stopped): number => steps - epochsCompleted * stepsPerEpoch

/** where a stopped run's weights are: "after epoch 312 of 1000", or "at step 5001, 9 batches into epoch 313 of 1000" (the window and the CLI say it alike) */
export function stopPoint(summary: Stopped): string {
  const { epochsCompleted: done, steps, train } = summary
  const into = batchesInto(summary)
  return into <= 0 ? `after epoch ${done} of ${train.epochs}` : `at step ${steps}, ${into} ${into === 1 ? 'batch' : 'batches'} into epoch ${done + 1} of ${train.epochs}`
}

export function stoppedEarly(summary: Stopped & Pick<RunSummary, 'status'>): StoppedEarly | null {
  if (summary.status !== 'stopped') return null
  const { epochsCompleted: done, steps, train } = summary
  const notAll = `not of a model trained for all ${train.epochs} epochs.`
  if (batchesInto(summary) <= 0) return { note: `This run was stopped ${stopPoint(summary)}: the numbers below are of the weights it had then, ${notAll}`, row: `stopped at epoch ${done}` }
  return {
    note: `This run was stopped ${stopPoint(summary)}: the numbers below are of the weights after that step, not of the end of epoch ${done} where the plots stop, and ${notAll}`,
    row: `stopped at step ${steps}`,
  }
}
