/**
 * Table + DatasetSpec -> training and validation arrays, as a student's notebook would build
 * them: pick columns, handle missing values, split with a seed, standardise on the training
 * split only, encode class labels. Pure: the same inputs give the same arrays.
 */
import type { DatasetSummary, MissingReport, ScalerStats, Task } from '../../../shared/api'
import type { DatasetSpec, LossName } from '../../../shared/schemas'
import { lossOf } from '../../../shared/catalog/losses'
import { labError } from '../../../shared/errors'
import { downsample } from './downsample'
import { createRng, permutation, STREAM } from './rng'
import { notNumericError, raggedError, refuseUnusable } from './problems'
import { findColumn, MISSING_CODE, type Column, type Table } from './table'

/** Rows stored row-major: x is [n, features], y is [n, 1] (a value, a 0/1 label or a class index) */
export interface Split {
  n: number
  x: Float32Array
  y: Float32Array
}

export interface PreparedData {
  summary: DatasetSummary
  train: Split
  val: Split
  /** number of model outputs: 1, or the number of classes for CrossEntropyLoss */
  outputs: number
}

export function taskForLoss(loss: LossName): Task {
  return lossOf(loss).task
}

function requireColumn(table: Table, name: string, role: string): Column {
  const column = findColumn(table, name)
  if (!column) {
    const names = table.columns.map((c) => c.name).join(', ')
    throw labError('COLUMN_NOT_FOUND', `The ${role} column "${name}" is not in this file. Its columns are: ${names}.`, { column: name })
  }
  return column
}

function numericValues(column: Column, role: string, decimal: '.' | ','): Float64Array {
  if (column.kind !== 'numeric') throw notNumericError(column, role)
  refuseUnusable(column, decimal)
  return column.values
}

interface Labels {
  codes: Float64Array
  classes: string[]
}

function encodeLabels(column: Column, task: Task): Labels {
  let codes: Float64Array
  let classes: string[]
  if (column.kind === 'numeric') {
    const distinct = [...new Set(Array.from(column.values).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b)
    classes = distinct.map(String)
    const index = new Map(distinct.map((v, i) => [v, i]))
    codes = column.values.map((v) => (Number.isNaN(v) ? NaN : index.get(v)!))
  } else {
    // every level is some row's cell, so the classes are the levels in sorted order
    classes = [...column.levels].sort()
    const index = new Map(classes.map((v, i) => [v, i]))
    const classOf = column.levels.map((level) => index.get(level)!)
    codes = Float64Array.from(column.codes, (code) => (code === MISSING_CODE ? NaN : classOf[code]))
  }
  if (classes.length < 2) {
    throw labError('INVALID_ARGUMENT', `The target "${column.name}" has only one class; a classifier needs at least two.`, { column: column.name })
  }
  if (task === 'binary' && classes.length !== 2) {
    throw labError(
      'INVALID_ARGUMENT',
      `BCEWithLogitsLoss needs a target with exactly two classes, but "${column.name}" has ${classes.length}. Use CrossEntropyLoss instead.`,
      { column: column.name },
    )
  }
  if (classes.length > 1000) {
    throw labError('INVALID_ARGUMENT', `The target "${column.name}" has ${classes.length} classes; that looks like a regression target.`, {
      column: column.name,
    })
  }
  return { codes, classes }
}

function splitIndices(rows: number[], valSplit: number, seed: number): { train: number[]; val: number[] } {
  if (valSplit === 0) return { train: rows, val: [] }
  const nVal = Math.round(rows.length * valSplit)
  if (nVal < 1 || rows.length - nVal < 1) {
    throw labError(
      'TOO_FEW_ROWS',
      `A validation split of ${valSplit} of ${rows.length} rows leaves ${nVal} for validation and ${rows.length - nVal} for training; each needs at least one.`,
    )
  }
  const order = permutation(rows.length, createRng(seed, STREAM.split))
  const shuffled = Array.from(order, (i) => rows[i])
  return { val: shuffled.slice(0, nVal), train: shuffled.slice(nVal) }
}

function meanOver(values: Float64Array, rows: number[]): number {
  let sum = 0
  let count = 0
  for (const r of rows) {
    const v = values[r]
    if (!Number.isNaN(v)) {
      sum += v
      count++
    }
  }
  return count === 0 ? NaN : sum / count
}

/** Population standard deviation, as sklearn's StandardScaler; a constant column keeps scale 1. */
function stdOver(values: Float64Array, rows: number[], mean: number): number {
  let sum = 0
  for (const r of rows) sum += (values[r] - mean) ** 2
  const std = Math.sqrt(sum / rows.length)
  return std > 0 ? std : 1
}

function describeMissing(report: Omit<MissingReport, 'message'>, targetDropped: number): string {
  const parts: string[] = []
  if (report.policy === 'drop') {
    parts.push(report.rowsDropped === 0 ? 'No missing values.' : `Dropped ${report.rowsDropped} row(s) with missing values.`)
  } else {
    const filled = Object.entries(report.filled)
    parts.push(
      filled.length === 0
        ? 'No missing feature values.'
        : `Filled ${filled.map(([c, k]) => `${k} in "${c}"`).join(', ')} with the training mean.`,
    )
    if (targetDropped > 0) parts.push(`Dropped ${targetDropped} row(s) with no target value.`)
  }
  return parts.join(' ')
}

export function prepareData(table: Table, spec: DatasetSpec, loss: LossName): PreparedData {
  const task = taskForLoss(loss)
  if (spec.features.includes(spec.target)) {
    throw labError('INVALID_ARGUMENT', `"${spec.target}" is both a feature and the target; a model cannot learn a column from itself.`, {
      column: spec.target,
    })
  }
  if (table.ragged && !table.ragged.skipped) throw raggedError(table)
  const featureValues = spec.features.map((name) => numericValues(requireColumn(table, name, 'feature'), 'feature', table.decimal))
  const targetColumn = requireColumn(table, spec.target, 'target')
  refuseUnusable(targetColumn, table.decimal)
  const labels = task === 'regression' ? undefined : encodeLabels(targetColumn, task)
  const target = labels ? labels.codes : numericValues(targetColumn, 'target', table.decimal)

  const rows: number[] = []
  let targetDropped = 0
  let rowsDropped = 0
  for (let r = 0; r < table.rowCount; r++) {
    if (Number.isNaN(target[r])) {
      targetDropped++
      continue
    }
    if (spec.missing === 'drop' && featureValues.some((v) => Number.isNaN(v[r]))) {
      rowsDropped++
      continue
    }
    rows.push(r)
  }
  if (rows.length === 0) throw labError('TOO_FEW_ROWS', 'No rows are left once rows with missing values are removed.')

  const { train, val } = splitIndices(rows, spec.valSplit, spec.splitSeed)
  // keyed by names from the file: no prototype, so a column named "__proto__" is counted like any other
  const filled: Record<string, number> = Object.create(null)
  const fillValues = featureValues.map((values, j) => {
    if (spec.missing !== 'mean') return NaN
    const count = rows.filter((r) => Number.isNaN(values[r])).length
    if (count > 0) filled[spec.features[j]] = count
    const mean = meanOver(values, train)
    if (count > 0 && Number.isNaN(mean)) {
      throw labError('TOO_FEW_ROWS', `Column "${spec.features[j]}" has no values in the training split to take a mean from.`, {
        column: spec.features[j],
      })
    }
    return mean
  })
  const value = (j: number, r: number): number => {
    const v = featureValues[j][r]
    return Number.isNaN(v) ? fillValues[j] : v
  }

  let scaler: ScalerStats | undefined
  if (spec.scale === 'standard') {
    const filledTrain = featureValues.map((_, j) => Float64Array.from(train, (r) => value(j, r)))
    const all = train.map((_, i) => i)
    const mean = filledTrain.map((v) => meanOver(v, all))
    scaler = { features: [...spec.features], mean, std: filledTrain.map((v, j) => stdOver(v, all, mean[j])) }
  }

  const d = spec.features.length
  const build = (indices: number[]): Split => {
    const x = new Float32Array(indices.length * d)
    const y = new Float32Array(indices.length)
    indices.forEach((r, i) => {
      for (let j = 0; j < d; j++) {
        const v = value(j, r)
        x[i * d + j] = scaler ? (v - scaler.mean[j]) / scaler.std[j] : v
      }
      y[i] = target[r]
    })
    return { n: indices.length, x, y }
  }

  const missingBase = { policy: spec.missing, rowsDropped: rowsDropped + targetDropped, filled }
  const shown = downsample(rows.length).map((i) => rows[i])
  return {
    summary: {
      // as read: a detected encoding, delimiter and decimal mark are written in, so a saved checkpoint (and the script exported from it) reads the file the same way
      spec: { ...spec, parse: { ...spec.parse, encoding: table.encoding, delimiter: table.delimiter, decimal: table.decimal } },
      task,
      nTrain: train.length,
      nVal: val.length,
      features: [...spec.features],
      target: spec.target,
      classes: labels?.classes,
      missing: { ...missingBase, message: describeMissing(missingBase, targetDropped) },
      scaler,
      scatter: { feature: spec.features[0], x: shown.map((r) => value(0, r)), y: shown.map((r) => target[r]) },
    },
    train: build(train),
    val: build(val),
    outputs: task === 'multiclass' ? labels!.classes.length : 1,
  }
}
