/**
 * What `lab train --out FILE` does with a run as it ended, and the one sentence its report gives
 * beside the file or in its place, the same in the text and in --json's `save_note`. A diverged
 * run's weights were reset to where its blown-up epoch began: those of its last sound epoch are
 * saved, and said to be; with no sound epoch, nor a stopped run's part-way weights, nothing is.
 */
import type { RunSummary } from '../../shared/api'
import { assertNever } from '../../shared/exhaustive'
import { stopPoint } from '../../shared/stoppedEarly'

export type SavePlan = { save: true; note: string | null } | { save: false; note: string }

type Ended = Pick<RunSummary, 'status' | 'epochsCompleted' | 'steps' | 'stepsPerEpoch' | 'train' | 'divergence'>

export function savePlan(summary: Ended, out: string): SavePlan {
  const { status, epochsCompleted: done } = summary
  switch (status) {
    case 'completed':
      return { save: true, note: null }
    case 'diverged': {
      const blewUp = summary.divergence?.epoch ?? done + 1
      if (done === 0) return { save: false, note: `Nothing was saved to ${out}: the run diverged in epoch ${blewUp}, before any epoch ended with sound weights.` }
      return { save: true, note: `${out} holds the weights after epoch ${done}, the last sound one: the run diverged in epoch ${blewUp}.` }
    }
    case 'stopped':
      return { save: false, note: `Nothing was saved to ${out}: the run was stopped ${stopPoint(summary)}, before the epochs asked for.` }
    case 'failed':
      return { save: false, note: `Nothing was saved to ${out}: the run failed.` }
    case 'starting':
    case 'running':
    case 'paused':
      return { save: false, note: `Nothing was saved to ${out}: the run had not ended.` }
    default:
      return assertNever(status, 'run status')
  }
}
