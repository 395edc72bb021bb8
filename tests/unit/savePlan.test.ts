/** What `lab train --out` saves of a run as it ended, and the sentence it says beside the file or in its place. */
import { describe, expect, it } from 'vitest'
import { savePlan } from '../../src/main/cli/savePlan'
import { trainConfigSchema } from '../../src/shared/schemas'

const train = trainConfigSchema.parse({ optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize: 2 })
const ended = (status: 'completed' | 'stopped' | 'diverged' | 'failed', epochsCompleted: number, steps: number, divergedIn?: number) => ({
  status,
  epochsCompleted,
  steps,
  stepsPerEpoch: 16,
  train,
  ...(divergedIn ? { divergence: { epoch: divergedIn, step: steps, loss: Infinity, message: '' } } : {}),
})

describe('savePlan', () => {
  it('saves a completed run without a word, and a diverged one with the epoch its weights are from', () => {
    expect(savePlan(ended('completed', 1000, 16_000), 'w.pth')).toEqual({ save: true, note: null })
    expect(savePlan(ended('diverged', 6, 105, 7), 'w.pth')).toEqual({ save: true, note: 'w.pth holds the weights after epoch 6, the last sound one: the run diverged in epoch 7.' })
  })

  it('saves nothing of a run with no sound epoch, a stopped run or a failed one, and says why', () => {
    expect(savePlan(ended('diverged', 0, 2, 1), 'w.pth')).toEqual({ save: false, note: 'Nothing was saved to w.pth: the run diverged in epoch 1, before any epoch ended with sound weights.' })
    expect(savePlan(ended('stopped', 312, 312 * 16 + 9), 'w.pth')).toEqual({
      save: false,
      note: 'Nothing was saved to w.pth: the run was stopped at step 5001, 9 batches into epoch 313 of 1000, before the epochs asked for.',
    })
    expect(savePlan(ended('failed', 3, 48), 'w.pth')).toEqual({ save: false, note: 'Nothing was saved to w.pth: the run failed.' })
  })
})
