/** The loss landscape: every cell against torch's MSELoss on the same rows, its minimum at least squares, its refusals. */
import type { DatasetSpecInput } from '../../src/shared/schemas'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/lab/dispatch'
import { lossGrid } from '../../src/main/lab/landscape/lossGrid'
import type { Landscape } from '../../src/shared/landscape'
import { createService, DATASETS } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const cars: DatasetSpecInput = { source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg' }

describe('the loss landscape of wt → mpg', () => {
  it('holds MSELoss at every (w, b) as torch computes it, and its minimum is least squares', async () => {
    const grid = await service.getLandscape({ dataset: cars, w: { min: -12, max: 2 }, b: { min: 10, max: 60 }, resolution: 15 })
    expect(grid.w).toHaveLength(15)
    expect(grid.b).toHaveLength(15)
    expect([grid.w[0], grid.w[14], grid.b[0], grid.b[14]]).toEqual([-12, 2, 10, 60])
    const torch = await python<{ loss: number[][]; ols: number[] }>(
      `
import numpy as np, pandas as pd, torch
cars = pd.read_csv(INPUT['csv'])
x = torch.tensor(cars.wt.values, dtype=torch.float32).double()
y = torch.tensor(cars.mpg.values, dtype=torch.float32).double()
mse = torch.nn.MSELoss()
loss = [[mse(w * x + b, y).item() for w in INPUT['w']] for b in INPUT['b']]
A = np.stack([x.numpy(), np.ones(len(x))], 1)
ols = np.linalg.lstsq(A, y.numpy(), rcond=None)[0].tolist()
print(json.dumps({'loss': loss, 'ols': ols}))
`,
      { csv: join(DATASETS, 'cars.csv'), w: grid.w, b: grid.b },
    )
    grid.loss.forEach((row, j) => row.forEach((l, i) => expect(l, `loss at w ${grid.w[i]}, b ${grid.b[j]}`).toBeCloseTo(torch.loss[j][i], 9)))
    expect(grid.minimum.w).toBeCloseTo(-5.344472, 5)
    expect(grid.minimum.b).toBeCloseTo(37.285126, 5)
    expect(grid.minimum.w).toBeCloseTo(torch.ols[0], 9)
    expect(grid.minimum.b).toBeCloseTo(torch.ols[1], 9)
    // the bottom of the bowl is below every cell of the grid
    const flat = grid.loss.flat()
    expect(grid.range.min).toBe(Math.min(...flat))
    expect(grid.range.max).toBe(Math.max(...flat))
    expect(grid.minimum.loss).toBeLessThanOrEqual(grid.range.min)
    expect(grid.minimum.loss).toBeCloseTo(8.697561, 5)
  })

  it('centres the default grid on the minimum, with the cell nearest to it the lowest, and a start near 0 on the map', async () => {
    const grid = await service.getLandscape({ dataset: cars })
    expect(grid.loss).toHaveLength(61)
    const mid = 30
    expect(grid.w[mid]).toBeCloseTo(grid.minimum.w, 9)
    expect(grid.b[mid]).toBeCloseTo(grid.minimum.b, 9)
    expect(grid.loss[mid][mid]).toBeCloseTo(grid.minimum.loss, 9)
    expect(grid.range.min).toBeCloseTo(grid.minimum.loss, 9)
    expect(grid.w[0]).toBeLessThan(0)
    expect(grid.w[60]).toBeGreaterThan(1)
    expect(grid.b[0]).toBeLessThan(0)
  })

  it('is a pure function of the rows: three points on a line give a zero-loss minimum at that line', () => {
    const grid: Landscape = lossGrid({ x: [0, 1, 2], y: [1, 3, 5], n: 3 }, { w: { min: 0, max: 4 }, b: { min: -1, max: 3 }, resolution: 5 }, { feature: 'x', target: 'y' })
    expect(grid.minimum.w).toBeCloseTo(2, 12)
    expect(grid.minimum.b).toBeCloseTo(1, 12)
    expect(grid.loss[2][2]).toBe(0)
    // w = 0, b = −1: residuals −2, −4, −6
    expect(grid.loss[0][0]).toBeCloseTo((4 + 16 + 36) / 3, 12)
  })

  it('stays exact far from the origin: points on a line at x near a million give a zero-loss minimum', () => {
    // sums of raw squares (x² ≈ 10¹²) would leave rounding of ~10⁻⁴ where the loss is 0
    const x = [1e6, 1e6 + 1, 1e6 + 2]
    const grid = lossGrid({ x, y: [1, 3, 5], n: 3 }, { w: { min: 1, max: 3 }, b: { min: -2e6 - 1, max: -2e6 + 3 }, resolution: 5 }, { feature: 'x', target: 'y' })
    expect(grid.minimum.loss).toBeLessThan(1e-12)
    expect(grid.loss[2][2]).toBeLessThan(1e-12)
    // w = 1, b = −2·10⁶ − 1: residuals −10⁶ − 2, −10⁶ − 4, −10⁶ − 6
    const residuals = x.map((xi, i) => xi - 2e6 - 1 - [1, 3, 5][i])
    expect(grid.loss[0][0]).toBeCloseTo(residuals.reduce((s, r) => s + r * r, 0) / 3, 0)
  })

  it('refuses two features, a reversed range and a huge grid with a sentence naming what was refused', async () => {
    const two = await dispatch(service, 'getLandscape', [{ dataset: { ...cars, features: ['wt', 'hp'] } }])
    expect(two).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/one feature column; 2 were given \(wt, hp\)/) } })
    const reversed = await dispatch(service, 'getLandscape', [{ dataset: cars, w: { min: 3, max: 1 } }])
    expect(reversed).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Invalid landscape request\. .*w: A range needs min below max/) } })
    const huge = await dispatch(service, 'getLandscape', [{ dataset: cars, resolution: 5000 }])
    expect(huge).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Resolution can be at most 121\./) } })
    const missing = await dispatch(service, 'getLandscape', [{ dataset: { ...cars, features: ['weight'] } }])
    expect(missing).toMatchObject({ ok: false, error: { code: 'COLUMN_NOT_FOUND', message: expect.stringMatching(/"weight"/) } })
  })
})
