/** `lab step` against torch autograd on the same rows and weights: loss, every gradient, the weights after each step. */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { stepRequestFromArgv } from '../../src/main/cli/stepArgs'
import { MAX_STEPS, type StepTrace } from '../../src/shared/learning'
import { trainRequestSchema, type NestedNumbers } from '../../src/shared/schemas'
import { createService, DATASETS, ROOT } from '../helpers/lab'
import { PYTHON, python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const CARS = join(DATASETS, 'cars.csv')

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number])

/** |a − b| ≤ 1e-5 · max(1, |b|): float32 holds a loss near 300 only to about 3e-5 */
function expectClose(ours: unknown, torch: unknown, what: string): void {
  const a = flat(ours)
  const b = flat(torch)
  expect(a.length, what).toBe(b.length)
  a.forEach((v, i) => {
    if (!(Math.abs(v - b[i]) <= 1e-5 * Math.max(1, Math.abs(b[i])))) expect.fail(`${what}[${i}]: TorchLab ${v}, torch ${b[i]}`)
  })
}

interface TorchStep {
  loss: number
  grads: Record<string, NestedNumbers>
  params: Record<string, NestedNumbers>
}

async function compareModuleRun(argv: string[]): Promise<StepTrace> {
  const { request } = stepRequestFromArgv(argv)
  if (request.kind !== 'module') throw new Error('expected a module run')
  const trace = await service.stepRun(request)
  const parsed = trainRequestSchema.parse(request.request)
  const script = new URL('./torch_steps.py', import.meta.url).pathname
  const child = promisify(execFile)(PYTHON, [script], { env: { ...process.env, OMP_NUM_THREADS: '1' } })
  child.child.stdin!.end(
    JSON.stringify({
      csv: CARS,
      features: parsed.dataset.features,
      target: parsed.dataset.target,
      model: parsed.model,
      optimizer: parsed.train.optimizer,
      initial: trace.initial,
      steps: trace.steps.map((s) => s.indices),
    }),
  )
  const torch = JSON.parse((await child).stdout) as TorchStep[]
  expect(torch).toHaveLength(trace.steps.length)
  trace.steps.forEach((s, i) => {
    // the loss a student reads is torch's float32 loss.item(), to the last bit
    expect(s.loss, `step ${i + 1} loss`).toBe(torch[i].loss)
    expect(Object.keys(s.grads)).toEqual(Object.keys(torch[i].grads))
    for (const k of Object.keys(torch[i].grads)) expectClose(s.grads[k], torch[i].grads[k], `step ${i + 1} grad ${k}`)
    for (const k of Object.keys(torch[i].params)) expectClose(s.params[k], torch[i].params[k], `step ${i + 1} ${k}`)
  })
  return trace
}

describe('lab step equals torch autograd step by step', () => {
  it('the course run (SGD lr 0.02, batch 2, no shuffle): rows [0, 1], [2, 3], … into the second epoch', async () => {
    const trace = await compareModuleRun(['--steps', '20'])
    expect(trace.steps).toHaveLength(20)
    expect(trace.steps[0].loss).toBe(345.3167724609375)
    expect(trace.steps.slice(0, 3).map((s) => s.indices)).toEqual([[0, 1], [2, 3], [4, 5]])
    expect(trace.steps[16]).toMatchObject({ epoch: 2, batch: 1, indices: [0, 1] })
    // the weights move: a step that changed nothing would also "match" a frozen torch
    expect(trace.steps[0].params['linear.weight']).not.toEqual(trace.initial['linear.weight'])
  })

  it('a shuffled run with momentum 0.9 and batch 5, across epochs', async () => {
    const trace = await compareModuleRun(['--shuffle', '--momentum', '0.9', '--lr', '0.005', '--batch-size', '5', '--seed', '3', '--steps', '21'])
    const epoch1 = trace.steps.filter((s) => s.epoch === 1).flatMap((s) => s.indices)
    expect([...epoch1].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i))
    expect(epoch1).not.toEqual(Array.from({ length: 32 }, (_, i) => i))
    expect(trace.steps[6].indices).toHaveLength(2)
  })

  it('an MLP (two tanh layers, two features) with Adam, every parameter', async () => {
    const trace = await compareModuleRun(['--model', 'mlp', '--hidden', '8,4', '--activation', 'tanh', '--optimizer', 'adam', '--lr', '0.01', '--x', 'wt,drat', '--steps', '12'])
    expect(Object.keys(trace.steps[0].grads)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'])
  })
})

describe('the from-scratch run', () => {
  const lecture = `
import numpy as np, csv
import torch
rows = list(csv.DictReader(open(INPUT['csv'])))
dtype = torch.float64 if INPUT['dtype'] == 'float64' else torch.float32
X = torch.from_numpy(np.array([float(r['wt']) for r in rows])).to(dtype)
y_true = torch.from_numpy(np.array([float(r['mpg']) for r in rows])).to(dtype)
torch.manual_seed(INPUT['seed'])
w = torch.rand(1, requires_grad=True, dtype=dtype)
b = torch.rand(1, requires_grad=True, dtype=dtype)
initial = [w.item(), b.item()]
lr = INPUT['lr']
out = []
for epoch in range(INPUT['epochs']):
    for i in range(len(X)):
        y_predict = X[i] * w + b
        loss_tensor = torch.pow(y_predict - y_true[i], 2)
        loss_tensor.backward()
        grads = [w.grad.item(), b.grad.item()]
        with torch.no_grad():
            w -= w.grad * lr
            b -= b.grad * lr
            w.grad.zero_()
            b.grad.zero_()
        out.append({'prediction': y_predict.item(), 'loss': loss_tensor.item(), 'grads': grads, 'params': [w.item(), b.item()]})
print(json.dumps({'initial': initial, 'steps': out[:INPUT['steps']]}))
`
  for (const dtype of ['float64', 'float32'] as const) {
    it(`in ${dtype}: torch.manual_seed + torch.rand, then every row's prediction, loss, gradients and update (two epochs)`, async () => {
      const { request } = stepRequestFromArgv(['--scratch', '--dtype', dtype, '--seed', '7', '--steps', '70', '--epochs', '3'])
      const trace = await service.stepRun(request)
      const torch = await python<{ initial: number[]; steps: { prediction: number; loss: number; grads: number[]; params: number[] }[] }>(lecture, { csv: CARS, dtype, seed: 7, lr: 0.001, epochs: 3, steps: 70 })
      // torch.rand reproduced bit for bit
      expect([trace.initial.w, trace.initial.b].flat()).toEqual(torch.initial)
      expect(trace.steps).toHaveLength(70)
      trace.steps.forEach((s, i) => {
        const t = torch.steps[i]
        expect(s.indices).toEqual([i % 32])
        expectClose(s.scratch!.prediction, t.prediction, `step ${i + 1} prediction`)
        expectClose(s.loss, t.loss, `step ${i + 1} loss`)
        expectClose([s.grads.w, s.grads.b], t.grads, `step ${i + 1} grads`)
        expectClose([s.params.w, s.params.b], t.params, `step ${i + 1} params`)
      })
      expect(trace.steps[0].scratch!.formulas.dw).toMatch(/^dL\/dw = 2·\(ŷ − y\)·x = /)
    })
  }

  it('starts from given values and reports a run that blows up', async () => {
    const { request } = stepRequestFromArgv(['--scratch', '--w', '0.5', '--b', '0.25', '--lr', '0.5', '--steps', '500'])
    const trace = await service.stepRun(request)
    expect(trace.initial).toEqual({ w: [0.5], b: [0.25] })
    expect(trace.steps.length).toBeLessThan(500)
    expect(trace.stopped).toMatch(/smaller learning rate/)
  })
})

describe('the most steps a trace follows', () => {
  // the Step view's "Let it run" asks for at most MAX_STEPS, and stopped there without a word
  it('says so at MAX_STEPS where the run goes on, for the module and the scratch run alike, and says nothing a step before', async () => {
    const cap = "The step-by-step view follows a run's first 10,000 steps; train the run in the Train panel to see the rest."
    for (const argv of [['--epochs', '1000'], ['--scratch', '--epochs', '1000']]) {
      const at = await service.stepRun(stepRequestFromArgv([...argv, '--steps', String(MAX_STEPS)]).request)
      expect(at.steps).toHaveLength(MAX_STEPS)
      expect(at.stopped).toBe(cap)
      const before = await service.stepRun(stepRequestFromArgv([...argv, '--steps', String(MAX_STEPS - 1)]).request)
      expect(before.steps).toHaveLength(MAX_STEPS - 1)
      expect(before.stopped).toBeUndefined()
    }
  }, 120_000)
})

describe('lab step from the command line', () => {
  it('reads lab train options with its own parser and refuses what makes no sense for stepping', () => {
    const { request } = stepRequestFromArgv(['--lr', '0.05', '--batch-size', '4', '--steps', '3'])
    expect(request).toMatchObject({ kind: 'module', steps: 3, request: { train: { batchSize: 4, optimizer: { lr: 0.05 } } } })
    expect(() => stepRequestFromArgv(['--scratch', '--model', 'mlp'])).toThrow(/one-weight line/)
    expect(() => stepRequestFromArgv(['--steps', '2.5'])).toThrow(/--steps must be a whole number, not "2.5"/)
    expect(() => stepRequestFromArgv(['--scratch', '--w', '1'])).toThrow(/Give both --w and --b/)
    expect(() => stepRequestFromArgv(['--out', 'x.pth'])).toThrow(/lab step has no option --out/)
  })

  it('prints the documented JSON and refuses bad options with a message', async () => {
    const run = promisify(execFile)
    const { stdout } = await run('npx', ['tsx', 'src/main/cli.ts', 'step', '--steps', '2', '--json'], { cwd: ROOT })
    const out = JSON.parse(stdout) as StepTrace
    expect(Object.keys(out.initial)).toEqual(['linear.weight', 'linear.bias'])
    expect(out.steps.map((s) => [s.epoch, s.batch, s.indices])).toEqual([[1, 1, [0, 1]], [1, 2, [2, 3]]])
    expect(Object.keys(out.steps[0])).toEqual(expect.arrayContaining(['epoch', 'batch', 'indices', 'loss', 'grads', 'params']))
    await expect(run('npx', ['tsx', 'src/main/cli.ts', 'step', '--scratch', '--dtype', 'float16'], { cwd: ROOT })).rejects.toMatchObject({ stderr: expect.stringMatching(/Unknown --dtype "float16"/) })
    await expect(run('npx', ['tsx', 'src/main/cli.ts', 'step', '--scratch', '--x', 'wt,hp'], { cwd: ROOT })).rejects.toMatchObject({ stderr: expect.stringMatching(/one feature column/) })
  })
})
