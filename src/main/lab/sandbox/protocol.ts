/**
 * What the parse worker is asked and what it answers. Only plain data crosses: the worker
 * turns a file into the values the lab uses (typed arrays are transferred; a CSV's bytes are read
 * into shared memory, so that a large one's two readers share them and its columns, which then
 * cross to the lab as they are).
 */
import type { CheckpointInfo } from '../../../shared/api'
import type { LabErrorInfo } from '../../../shared/errors'
import type { Activation, OptimizerSpec, ParseOptions } from '../../../shared/schemas'
import type { StartingPoint } from '../checkpoint/files'
import type { NumericFormat, NumericPart, RowSpace } from '../data/fastCsv'
import type { Table } from '../data/table'
import type { MessagePort } from 'node:worker_threads'
import type { StateDict } from '../model/stateDict'

export type ParseRequest =
  | { kind: 'checkpoint'; path: string; activations: Activation[]; values: boolean; key?: string }
  /** a file's model and its weights as float32, to run it (lab predict) */
  | { kind: 'model'; path: string; activations: Activation[] }
  | { kind: 'startingPoint'; path: string; shapes: { name: string; shape: number[] }[]; optimizer: OptimizerSpec; key?: string }
  | { kind: 'csv'; path: string; encoding: ParseOptions['encoding']; parse: ParseOptions }

export interface OpenedFile {
  info: CheckpointInfo
  /** what torch 1.13's weights_only unpickler would refuse in the file, or null */
  weightsOnlyRefusal: string | null
  /** the part of that refusal that names code, or null */
  codeRefusal: string | null
}

export interface OpenedModel {
  info: CheckpointInfo
  weights: StateDict
}

export interface ParseResults {
  checkpoint: OpenedFile
  model: OpenedModel
  startingPoint: StartingPoint
  csv: Table
}

export type ParseReply<K extends ParseRequest['kind'] = ParseRequest['kind']> =
  | { id: number; ok: true; result: ParseResults[K] }
  | { id: number; ok: false; error: LabErrorInfo }

/** what the reader of a large CSV asks its helper (over their own channel): the numbers of one range of the shared bytes, into the shared columns */
export interface PartRequest {
  bytes: Uint8Array
  start: number
  end: number
  format: NumericFormat
  space: RowSpace
}

/** the helper's answer: the range's numbers (in the shared columns, or in arrays of its own, transferred, when they outgrew them), null when the range needs the general parser, or that it had no memory for them */
export type PartReply = NumericPart | null | { outOfMemory: true }

/** a message to a parse worker: a file to parse (with, for a large CSV, a channel to a second worker), or a channel to help on */
export type WorkerRequest = { id: number; request: ParseRequest; helper?: MessagePort } | { help: MessagePort }

/** the worker's first message, once its code is loaded: the time limit starts after it */
export const READY = 'parse-worker-ready'
