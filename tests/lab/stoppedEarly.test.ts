/** What the Evaluate panel says of a run the student stopped between two batches: the step it reached, whose weights torch gives too. */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { stoppedEarly } from '../../src/shared/stoppedEarly'
import { createService, DATASETS, stopMidEpoch } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())

describe('a run stopped mid-epoch', () => {
  it('is said to be stopped at its step, inside the next epoch, and its weights are torch’s after that step', async () => {
    const init = { 'linear.weight': [[0.25]], 'linear.bias': [-0.5] }
    const { runId } = await service.startTraining({
      dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
      model: { kind: 'linear' },
      train: { optimizer: { name: 'SGD', lr: 0.02 }, epochs: 1000, batchSize: 2 },
      init,
      pace: 10,
    })
    const summary = await stopMidEpoch(service, runId)
    expect(summary.steps % summary.stepsPerEpoch).not.toBe(0)
    const into = summary.steps - summary.epochsCompleted * summary.stepsPerEpoch
    const said = stoppedEarly(summary)!
    expect(said.note).toContain(`stopped at step ${summary.steps}, ${into} batch${into === 1 ? '' : 'es'} into epoch ${summary.epochsCompleted + 1} of 1000`)
    expect(said.row).toBe(`stopped at step ${summary.steps}`)

    const torch = await python<number[]>(
      `
import pandas as pd, torch
cars = pd.read_csv(INPUT['csv'])
X = torch.tensor(cars.wt.values, dtype=torch.float32).reshape(-1, 1)
y = torch.tensor(cars.mpg.values, dtype=torch.float32).reshape(-1, 1)
model = torch.nn.Linear(1, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor(INPUT['init']['linear.weight']))
    model.bias.copy_(torch.tensor(INPUT['init']['linear.bias']))
optimizer = torch.optim.SGD(model.parameters(), lr=0.02)
for step in range(INPUT['steps']):
    j = step % 16 * 2
    optimizer.zero_grad()
    torch.nn.functional.mse_loss(model(X[j:j + 2]), y[j:j + 2]).backward()
    optimizer.step()
print(json.dumps([model.weight.item(), model.bias.item()]))
`,
      { csv: join(DATASETS, 'cars.csv'), init, steps: summary.steps },
    )
    expect(summary.stateDict['linear.weight']).toEqual([[torch[0]]])
    expect(summary.stateDict['linear.bias']).toEqual([torch[1]])
  }, 60_000)
})
