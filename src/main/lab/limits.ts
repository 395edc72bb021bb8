/**
 * What one lab takes on at once, so that no request (a confused student's or a hostile page's)
 * can take a classroom laptop's memory or both of its cores: the size of a model, how many runs
 * and searches go at once, and how much a step-by-step trace records. Each refusal says what
 * was asked, the limit, and what to do instead.
 */
import { labError, type LabError } from '../../shared/errors'

const count = (n: number): string => n.toLocaleString('en-US')

/**
 * A model's parameters: about 24 bytes each while it trains (weights, gradients, Adam's two
 * moments, the starting copy), so 50 million take some 1.2 GB. The course's largest models are
 * a few thousand.
 */
export const MAX_PARAMETERS = 50_000_000

export function checkModelSize(parameters: number): void {
  if (parameters <= MAX_PARAMETERS) return
  throw labError(
    'TOO_LARGE',
    `This model has ${count(parameters)} parameters; TorchLab trains models of up to ${count(MAX_PARAMETERS)}, which is all a laptop's memory holds while it trains. Use fewer or narrower layers.`,
  )
}

/** Runs training at once: each holds a thread (some 50 MB) and a core; on two cores more only share them. */
export const MAX_ACTIVE_RUNS = 4

export function checkActiveRuns(active: readonly string[]): void {
  if (active.length < MAX_ACTIVE_RUNS) return
  throw labError('RUN_BUSY', `${active.length} runs are training already (${active.join(', ')}); TorchLab trains up to ${MAX_ACTIVE_RUNS} at once. Stop one, or wait for one to finish.`)
}

/** Searches at once: they share one pool of fit threads, so a second only waits behind the first. */
export const MAX_ACTIVE_SEARCHES = 2

export function checkActiveSearches(active: readonly string[]): void {
  if (active.length < MAX_ACTIVE_SEARCHES) return
  throw labError('RUN_BUSY', `${active.length} searches are running already (${active.join(', ')}); TorchLab runs up to ${MAX_ACTIVE_SEARCHES} at once. Cancel one, or wait for one to finish.`)
}

/**
 * The numbers one step-by-step trace may record: every parameter and its gradient at every
 * step, kept in the lab's own thread and sent whole, so 2 million (some 40 MB as JSON) is as
 * much as fits one message with room to spare.
 */
export const MAX_TRACE_NUMBERS = 2_000_000

/** how many of the steps asked for a trace records, each recording `perStep` numbers */
export function tracedSteps(asked: number, perStep: number, parameters: number): number {
  const fits = Math.floor(MAX_TRACE_NUMBERS / perStep)
  if (fits < 1) {
    throw labError(
      'TOO_LARGE',
      `Stepping records every weight and its gradient at each step; this model has ${count(parameters)} parameters, more than the ${count(MAX_TRACE_NUMBERS / 2)} a step can show. Step a smaller model, or train this one.`,
    )
  }
  return Math.min(asked, fits)
}

/**
 * The longest cell a CSV may hold. A value a model learns from is a number or a category, a
 * comment at most some thousands of characters; Python's csv module stops at 131,072 by default.
 * A longer cell is a file that is not a table (a quote left open, a document pasted in), and a
 * 100 MB one took over 400 MB and 15 s to read, 1 GB when written with doubled quotes.
 */
export const MAX_CELL_CHARS = 1_000_000

/** the refusal of a cell longer than MAX_CELL_CHARS, starting on `line`, in `column` when the file names its columns */
export function cellTooLong(line: number, column: string | undefined): LabError {
  const where = column === undefined ? '' : ` (column "${column.length > 40 ? `${column.slice(0, 40)}…` : column}")`
  return labError(
    'TOO_LARGE',
    `Line ${line} starts a cell${where} of more than ${count(MAX_CELL_CHARS)} characters, the most TorchLab reads in one cell. ` +
      'If that line should hold ordinary values, a quote on it may be left open; otherwise remove the long text from the file.',
    { line, ...(column === undefined ? {} : { column }) },
  )
}

/**
 * The most columns a CSV may have. A data set a student trains on has tens or hundreds, a wide
 * one (genes, pixels) tens of thousands; every column is a named array and a line in the window.
 * A 2 MB file of a million empty cells took 10 s and 1 GB to read (pandas did not finish in ten
 * minutes), so past this a file is refused before its columns are built.
 */
export const MAX_COLUMNS = 100_000

/** the refusal of a CSV whose line `line` has `columns` cells, read with `delimiter` (named as a student knows it) */
export function tooManyColumns(columns: number, line: number, delimiter: string): LabError {
  return labError(
    'TOO_LARGE',
    `Line ${line} has ${count(columns)} columns; TorchLab reads CSV files of up to ${count(MAX_COLUMNS)} columns. ` +
      `If the file is not split by ${delimiter}, choose its delimiter; if it is a table turned sideways (one row per column), transpose it.`,
    { line },
  )
}
