/**
 * What a run stopped by the student left to measure: the weights of the epoch it reached, not
 * of the epochs it was asked for. The Evaluate panel says so above the numbers, as the CLI's
 * "Stopped by Ctrl+C after epoch N of M" does.
 */
import type { RunSummary } from './api'

export interface StoppedEarly {
  /** the sentence above the metrics */
  note: string
  /** the metrics row's name in place of "trained model" */
  row: string
}

export function stoppedEarly(summary: Pick<RunSummary, 'status' | 'epochsCompleted' | 'train'>): StoppedEarly | null {
  if (summary.status !== 'stopped') return null
  const { epochsCompleted: done, train } = summary
  return {
    note: `This run was stopped after epoch ${done} of ${train.epochs}: the numbers below are of the weights it had then, not of a model trained for all ${train.epochs} epochs.`,
    row: `stopped at epoch ${done}`,
  }
}
