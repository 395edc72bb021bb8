import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/main/lab/data/csv'
import { prepareData } from '../../src/main/lab/data/dataset'
import { datasetSpecSchema, parseOptionsSchema, type DatasetSpecInput } from '../../src/shared/schemas'
import { DATASETS } from '../helpers/lab'
import { labErrorOf } from '../helpers/labErrorOf'

const auto = parseOptionsSchema.parse({})
const cars = parseCsv(readFileSync(join(DATASETS, 'cars.csv'), 'utf8'), auto)
const iris = parseCsv(readFileSync(join(DATASETS, 'iris.csv'), 'utf8'), auto)
const spec = (s: Partial<DatasetSpecInput>) =>
  datasetSpecSchema.parse({ source: { kind: 'bundled', name: 'cars' }, features: ['wt'], target: 'mpg', ...s })


describe('prepareData', () => {
  it('keeps the file order without a split, as the course does', () => {
    const data = prepareData(cars, spec({}), 'MSELoss')
    expect(data.train.n).toBe(32)
    expect(data.val.n).toBe(0)
    expect(data.train.x[0]).toBeCloseTo(2.62, 6)
    expect(data.train.y[0]).toBe(21)
    expect(data.outputs).toBe(1)
    expect(data.summary.task).toBe('regression')
  })

  it('splits with a seed: the same seed the same rows, another seed other rows', () => {
    const a = prepareData(cars, spec({ valSplit: 0.25, splitSeed: 1 }), 'MSELoss')
    const b = prepareData(cars, spec({ valSplit: 0.25, splitSeed: 1 }), 'MSELoss')
    const c = prepareData(cars, spec({ valSplit: 0.25, splitSeed: 2 }), 'MSELoss')
    expect(a.val.n).toBe(8)
    expect(a.train.n).toBe(24)
    expect(Array.from(a.val.y)).toEqual(Array.from(b.val.y))
    expect(Array.from(a.val.x)).not.toEqual(Array.from(c.val.x))
  })

  it('standardises with statistics of the training split only', () => {
    const data = prepareData(cars, spec({ valSplit: 0.25, splitSeed: 3, scale: 'standard', features: ['wt', 'hp'] }), 'MSELoss')
    const { mean, std } = data.summary.scaler!
    const trainWt = Array.from({ length: data.train.n }, (_, i) => data.train.x[i * 2])
    const m = trainWt.reduce((a, b) => a + b, 0) / trainWt.length
    const s = Math.sqrt(trainWt.reduce((a, b) => a + (b - m) ** 2, 0) / trainWt.length)
    expect(m).toBeCloseTo(0, 5)
    expect(s).toBeCloseTo(1, 5)
    const allWt = Array.from((cars.columns[6] as { values: Float64Array }).values)
    const overall = allWt.reduce((a, b) => a + b, 0) / allWt.length
    expect(mean[0]).not.toBeCloseTo(overall, 6)
    expect(std[0]).toBeGreaterThan(0)
  })

  it('encodes class labels in sorted order for CrossEntropyLoss', () => {
    const data = prepareData(iris, { ...spec({ features: ['petal_length'], target: 'species' }) }, 'CrossEntropyLoss')
    expect(data.summary.classes).toEqual(['setosa', 'versicolor', 'virginica'])
    expect(data.outputs).toBe(3)
    expect(new Set(data.train.y)).toEqual(new Set([0, 1, 2]))
  })

  it('asks for two classes with BCEWithLogitsLoss', () => {
    expect(labErrorOf(() => prepareData(iris, spec({ features: ['petal_length'], target: 'species' }), 'BCEWithLogitsLoss')).message).toMatch(
      /exactly two classes/,
    )
    const data = prepareData(cars, spec({ features: ['wt'], target: 'am' }), 'BCEWithLogitsLoss')
    expect(data.summary.classes).toEqual(['0', '1'])
  })

  it('drops rows with missing values and says how many', () => {
    const table = parseCsv('x,y\n1,2\n,3\n3,\n4,5\n', auto)
    const data = prepareData(table, spec({ features: ['x'], target: 'y', missing: 'drop' }), 'MSELoss')
    expect(data.train.n).toBe(2)
    expect(data.summary.missing).toMatchObject({ policy: 'drop', rowsDropped: 2 })
    expect(data.summary.missing.message).toMatch(/Dropped 2 row/)
  })

  it('fills missing features with the training mean and says so', () => {
    const table = parseCsv('x,y\n1,2\n,3\n3,4\n', auto)
    const data = prepareData(table, spec({ features: ['x'], target: 'y', missing: 'mean' }), 'MSELoss')
    expect(Array.from(data.train.x)).toEqual([1, 2, 3])
    expect(data.summary.missing.filled).toEqual({ x: 1 })
    expect(data.summary.missing.message).toMatch(/Filled 1 in "x" with the training mean/)
  })

  it('names the line and column of a value that is not a number, and offers to read it as missing', () => {
    const text = 'wt,mpg\n2.5,21\n3.1,abc\n2.8,19\n'
    const info = labErrorOf(() => prepareData(parseCsv(text, auto), spec({ features: ['wt'], target: 'mpg' }), 'MSELoss'))
    expect(info).toMatchObject({ code: 'COLUMN_NOT_NUMERIC', line: 3, column: 'mpg' })
    expect(info.message).toMatch(/holds "abc" on line 3, which is not a number.*1 cell of it is not a number: fix it, or read such cells as missing values/)
    const forgiven = parseCsv(text, { badCells: 'missing' })
    const data = prepareData(forgiven, spec({ features: ['wt'], target: 'mpg' }), 'MSELoss')
    expect(Array.from(data.train.y)).toEqual([21, 19])
    expect(data.summary.missing.message).toMatch(/Dropped 1 row/)
  })

  it('says which columns exist when the target is missing', () => {
    const info = labErrorOf(() => prepareData(cars, spec({ target: 'price' }), 'MSELoss'))
    expect(info).toMatchObject({ code: 'COLUMN_NOT_FOUND', column: 'price' })
    expect(info.message).toMatch(/Its columns are: model, mpg/)
  })

  it('refuses a text column as a feature and a target that is also a feature', () => {
    expect(labErrorOf(() => prepareData(cars, spec({ features: ['model'] }), 'MSELoss')).code).toBe('COLUMN_NOT_NUMERIC')
    expect(labErrorOf(() => prepareData(cars, spec({ features: ['mpg'] }), 'MSELoss')).code).toBe('INVALID_ARGUMENT')
  })
})
