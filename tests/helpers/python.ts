/**
 * Runs a Python script with Debian's real PyTorch / scikit-learn (/usr/bin/python3) and
 * returns what it prints as JSON. A missing torch fails the test: it is never skipped.
 */
import { execFile, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const PYTHON = '/usr/bin/python3'

const ENV = { ...process.env, OMP_NUM_THREADS: '1' }
const withInput = (script: string) => `import json, sys\nINPUT = json.loads(sys.stdin.read())\n${script}`

export async function python<T>(script: string, input: unknown = null): Promise<T> {
  const child = run(PYTHON, ['-c', withInput(script)], { maxBuffer: 256 * 1024 * 1024, env: ENV })
  child.child.stdin!.end(JSON.stringify(input))
  const { stdout } = await child
  return JSON.parse(stdout) as T
}

/**
 * Runs a script that prints one JSON value per line (flushed), and yields each as it comes, so a
 * test can use what torch has written (files, a first stage) while torch works on. Ends with an
 * error carrying Python's stderr if the script fails.
 */
export function pythonLines(script: string, input: unknown = null): AsyncGenerator<unknown, void, void> {
  return linesOf(['-c', withInput(script)], input)
}

/** as pythonLines, for a script in its own file */
export function pythonFile(path: string, input: unknown = null): AsyncGenerator<unknown, void, void> {
  return linesOf([path], input)
}

async function* linesOf(args: string[], input: unknown): AsyncGenerator<unknown, void, void> {
  const child = spawn(PYTHON, args, { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] })
  const stderr: Buffer[] = []
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve))
  child.stdin.end(JSON.stringify(input))
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) if (line.trim()) yield JSON.parse(line)
  const code = await exit
  if (code !== 0) throw new Error(`python exited with ${code}: ${Buffer.concat(stderr).toString()}`)
}

export interface TorchRun {
  csv: string
  features: string[]
  target: string
  scale: 'none' | 'standard'
  model: { kind: 'linear' } | { kind: 'mlp'; hidden: { units: number; activation: string }[] } | { kind: 'sequential'; modules: { type: string; kwargs: Record<string, unknown> }[] }
  outputs?: number
  loss: string
  loss_kwargs?: Record<string, number>
  optimizer: Record<string, unknown>
  epochs: number
  batch_size: number
  init: Record<string, unknown>
}

const TORCH_REFERENCE = new URL('./torch_reference.py', import.meta.url).pathname

/** Trains the same run in real PyTorch (tests/helpers/torch_reference.py). */
export async function torchTrain(spec: TorchRun): Promise<{ state_dict: Record<string, unknown>; losses: number[]; predictions: number[][] }> {
  const child = run(PYTHON, [TORCH_REFERENCE], { maxBuffer: 256 * 1024 * 1024, env: ENV })
  child.child.stdin!.end(JSON.stringify(spec))
  const { stdout } = await child
  return JSON.parse(stdout)
}

export interface TorchSweepRun extends Omit<TorchRun, 'init'> {
  init?: Record<string, unknown>
  /** a state_dict torch.save()d, in place of init */
  init_pth?: string
  drop_last?: boolean
  /** the training and validation rows by index in the CSV, in TorchLab's order */
  rows?: number[]
  val_rows?: number[]
  /** also train in float64, to measure how far float32's own ordering noise carries the run */
  float64?: boolean
}

export type TorchSweepResult = { index: number } & (
  /** blew_up_at: where torch's float32 loss first went NaN or infinite, before it refused the run */
  | { error: string; blew_up_at?: { epoch: number; step: number } }
  | { state_dict: Record<string, unknown>; losses: (number | null)[]; val_losses: (number | null)[]; widest?: number; losses_widest?: number }
)

/** Trains many runs in one torch process, yielding each result as torch finishes it. */
export function torchTrainMany(specs: TorchSweepRun[]): AsyncGenerator<TorchSweepResult, void, void> {
  return linesOf([TORCH_REFERENCE], specs) as AsyncGenerator<TorchSweepResult, void, void>
}
