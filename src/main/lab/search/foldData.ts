/**
 * A search's rows live once in shared memory; a fit receives them by reference with its fold
 * as two index arrays, and builds its own copies of the fold's rows (scaled, when asked, on
 * the fold's training rows only, as a Pipeline's StandardScaler would be).
 */
import type { Split } from '../data/dataset'

export interface SharedRows {
  x: Float32Array
  y: Float32Array
  features: number
}

export interface FoldRows {
  train: Int32Array
  test: Int32Array
}

/** a copy of the values in a SharedArrayBuffer, which worker messages pass without copying */
export function shared<T extends Float32Array | Int32Array>(values: T | number[], make: new (buffer: SharedArrayBuffer) => T): T {
  const copy = new make(new SharedArrayBuffer(values.length * 4))
  copy.set(values)
  return copy
}

export function shareRows(split: Split, features: number): SharedRows {
  return { x: shared(split.x, Float32Array), y: shared(split.y, Float32Array), features }
}

export function shareFold(fold: { train: number[]; test: number[] }): FoldRows {
  return { train: shared(fold.train, Int32Array), test: shared(fold.test, Int32Array) }
}

function take(data: SharedRows, rows: Int32Array): Split {
  const d = data.features
  const x = new Float32Array(rows.length * d)
  const y = new Float32Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]
    x.set(data.x.subarray(r * d, r * d + d), i * d)
    y[i] = data.y[r]
  }
  return { n: rows.length, x, y }
}

function standardise(train: Split, test: Split, d: number): void {
  for (let j = 0; j < d; j++) {
    let mean = 0
    for (let i = 0; i < train.n; i++) mean += train.x[i * d + j]
    mean /= train.n || 1
    let variance = 0
    for (let i = 0; i < train.n; i++) variance += (train.x[i * d + j] - mean) ** 2
    const std = Math.sqrt(variance / (train.n || 1)) || 1
    for (const s of [train, test]) for (let i = 0; i < s.n; i++) s.x[i * d + j] = (s.x[i * d + j] - mean) / std
  }
}

export function foldSplits(data: SharedRows, fold: FoldRows, standard: boolean): { train: Split; test: Split } {
  const train = take(data, fold.train)
  const test = take(data, fold.test)
  if (standard) standardise(train, test, data.features)
  return { train, test }
}
