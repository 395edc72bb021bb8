/**
 * Starting weights as JSON ({name: nested lists}, `lab train --init x.json`, the window's
 * weights): a list is a tensor only when it is rectangular, as torch.tensor takes it. A ragged
 * one was read with the shape of its first rows and the wrong number of values, and a run then
 * trained from a short array or failed inside the engine.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { StateDictJson } from '../../src/shared/schemas'
import { createService } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())

/** Linear(2) then Linear(1) on cars' wt: 0.weight is [2, 1] */
const good = { '0.weight': [[0.5], [-0.25]], '0.bias': [0.1, 0.2], '1.weight': [[1, -1]], '1.bias': [0] }
const ragged: Record<string, StateDictJson> = {
  'a row too short': { ...good, '0.weight': [[0.5], []] },
  'a row too long': { ...good, '0.weight': [[0.5], [0.1, 0.3]] },
  'a number where a row belongs': { ...good, '0.weight': [[0.5], 0.4] },
  'a row where a number belongs': { ...good, '1.weight': [[1, [2]]] },
}

/** 0.5 inside `depth` lists */
function nested(depth: number): StateDictJson[string] {
  let value: StateDictJson[string] = 0.5
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

function start(init: StateDictJson) {
  return service.startTraining({
    dataset: { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' },
    model: { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 2 }, { kind: 'Linear', outFeatures: 1 }] },
    train: { optimizer: { name: 'SGD', lr: 0.01 }, epochs: 1, batchSize: 8 },
    init,
  })
}

describe('starting weights from JSON', () => {
  it('torch.tensor refuses every ragged list below (so TorchLab must too)', async () => {
    const refused = await python<string[]>(
      `
import torch
out = []
for name, sd in INPUT.items():
    try:
        [torch.tensor(v) for v in sd.values()]
    except (ValueError, TypeError) as e:
        out.append(name)
print(json.dumps(out))`,
      ragged,
    )
    expect(refused).toEqual(Object.keys(ragged))
  })

  it.each(Object.keys(ragged))('refuses %s, naming the key, before a run starts', async (name) => {
    const key = name === 'a row where a number belongs' ? '1.weight' : '0.weight'
    await expect(start(ragged[name])).rejects.toMatchObject({ info: { code: 'WEIGHTS_MISMATCH', key, message: expect.stringMatching(/is not a rectangular array/) } })
  })

  it('refuses lists nested deeper than a tensor has dimensions (128, torch.tensor\'s limit), however deep, without overflowing the stack', async () => {
    expect(await python<boolean[]>(`
import torch
out = []
for depth in (128, 129):
    v = 0.5
    for _ in range(depth): v = [v]
    try:
        torch.tensor(v); out.append(True)
    except ValueError:
        out.append(False)
print(json.dumps(out))`)).toEqual([true, false])
    // 128 deep is a tensor, of the wrong shape for this model
    await expect(start({ ...good, '0.weight': nested(128) })).rejects.toMatchObject({ info: { message: expect.stringMatching(/size mismatch for 0\.weight/) } })
    for (const depth of [129, 200_000]) {
      await expect(start({ ...good, '0.weight': nested(depth) })).rejects.toMatchObject({
        info: { code: 'WEIGHTS_MISMATCH', key: '0.weight', message: '"0.weight" nests lists more than 128 deep, and a tensor has at most 128 dimensions (torch.tensor refuses it too).' },
      })
    }
  })

  it('starts from a rectangular list', async () => {
    const summary = await service.waitForRun((await start(good)).runId)
    expect(summary.status).toBe('completed')
    expect((summary.stateDict['0.weight'] as number[][]).map((row) => row.length)).toEqual([1, 1])
  })

  it('names an infinite value as the number it is (JSON.parse reads 1e400 as Infinity)', async () => {
    await expect(start({ ...good, '0.bias': [Infinity, 0] })).rejects.toMatchObject({ info: { message: '"0.bias" holds Infinity, which is not a finite number.' } })
  })
})
