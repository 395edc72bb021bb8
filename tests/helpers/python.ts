/**
 * Runs a Python script with Debian's real PyTorch / scikit-learn (/usr/bin/python3) and
 * returns what it prints as JSON. A missing torch fails the test: it is never skipped.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const PYTHON = '/usr/bin/python3'

export async function python<T>(script: string, input: unknown = null): Promise<T> {
  const wrapped = `import json, sys\nINPUT = json.loads(sys.stdin.read())\n${script}`
  const child = run(PYTHON, ['-c', wrapped], { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' } })
  child.child.stdin!.end(JSON.stringify(input))
  const { stdout } = await child
  return JSON.parse(stdout) as T
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

/** Trains the same run in real PyTorch (tests/helpers/torch_reference.py). */
export async function torchTrain(spec: TorchRun): Promise<{ state_dict: Record<string, unknown>; losses: number[]; predictions: number[][] }> {
  const script = new URL('./torch_reference.py', import.meta.url).pathname
  const child = run(PYTHON, [script], { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: '1' } })
  child.child.stdin!.end(JSON.stringify(spec))
  const { stdout } = await child
  return JSON.parse(stdout)
}
