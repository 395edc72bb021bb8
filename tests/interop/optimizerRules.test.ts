/**
 * The dense engine's optimizer rules round as torch 1.13's CPU kernels do: from the same
 * parameters and the same gradients, every parameter and every state buffer after many steps
 * is torch's float32, bit for bit. One torch process runs every case.
 */
import { describe, expect, it } from 'vitest'
import { DenseOptimizer } from '../../src/main/lab/engine/dense/optimizers'
import { fmaf } from '../../src/shared/float32'
import { optimizerSpecSchema } from '../../src/shared/catalog/optimizers'
import { float32Stream } from '../helpers/float32Stream'
import { OPTIMIZER_SETTINGS, optimizerSetting, torchOptimizerKwargs } from '../helpers/optimizerSettings'
import { python } from '../helpers/python'

const SHAPES = [[3, 5], [5], [1, 3], [1]]
const STEPS = 40

const SCRIPT = `
import torch
out = []
for case in INPUT:
    params = [torch.tensor(p, dtype=torch.float32).reshape(s).requires_grad_() for p, s in zip(case['params'], case['shapes'])]
    kwargs = dict(case['kwargs'])
    if 'betas' in kwargs: kwargs['betas'] = tuple(kwargs['betas'])
    opt = getattr(torch.optim, case['name'])(params, **kwargs)
    for grads in case['grads']:
        for p, g, s in zip(params, grads, case['shapes']):
            p.grad = torch.tensor(g, dtype=torch.float32).reshape(s)
        opt.step()
    state = [{k: v.reshape(-1).tolist() for k, v in opt.state[p].items() if torch.is_tensor(v) and k != 'step'} for p in params]
    out.append({'params': [p.detach().reshape(-1).tolist() for p in params], 'state': state})
print(json.dumps(out))
`

/** steps each setting on the same parameters and gradients in TorchLab and in torch: every parameter and state buffer equal, bit for bit */
async function expectTorchSteps(settings: readonly Record<string, unknown>[]): Promise<{ params: number[][][]; trained: number[][][] }> {
  const cases = settings.map((raw, k) => {
    const spec = optimizerSetting(raw)
    const next = float32Stream(k + 1)
    const params = SHAPES.map((s) => Array.from({ length: s.reduce((a, b) => a * b, 1) }, next))
    // gradients of mixed scale, with exact zeros, as a ReLU network produces
    const grads = Array.from({ length: STEPS }, (_, t) => params.map((p) => p.map(() => (next() > 0.8 ? 0 : Math.fround(next() * 10 ** ((t % 5) - 3))))))
    return { spec, params, grads }
  })
  const torch = await python<{ params: number[][]; state: Record<string, number[]>[] }[]>(
    SCRIPT,
    cases.map(({ spec, params, grads }) => ({ name: spec.name, kwargs: torchOptimizerKwargs(spec), shapes: SHAPES, params, grads })),
  )
  const trained = cases.map(({ spec, params, grads }, k) => {
    const ours = params.map((p) => Float32Array.from(p))
    const optimizer = new DenseOptimizer(spec, ours.map((p) => p.length))
    for (const g of grads) optimizer.apply(ours, g.map((x) => Float32Array.from(x)))
    const label = JSON.stringify(settings[k])
    expect(ours.map((p) => Array.from(p)), label).toEqual(torch[k].params)
    const state = optimizer.state().buffers.map((b) => Object.fromEntries(Object.entries(b).map(([key, v]) => [key, Array.from(v)])))
    expect(state, label).toEqual(torch[k].state)
    return ours.map((p) => Array.from(p))
  })
  return { params: cases.map((c) => c.params.map((p) => p.map(Math.fround))), trained }
}

describe('dense optimizer rules, bit for bit against torch 1.13', () => {
  it('fmaf rounds a·b + c once, where rounding the product first or the double sum both land on a tie', () => {
    // a·b = 2⁻²⁴ − 2⁻⁶⁰, so the exact sum lies just below the tie 1 + 3·2⁻²⁴ and rounds down to 1 + 2⁻²³
    const a = Math.fround(2 ** -24 * (1 + 2 ** -18))
    const b = Math.fround(1 - 2 ** -18)
    const c = Math.fround(1 + 2 ** -23)
    expect(Math.fround(Math.fround(a * b) + c)).toBe(Math.fround(1 + 2 ** -22))
    expect(Math.fround(a * b + c)).toBe(Math.fround(1 + 2 ** -22))
    expect(fmaf(a, b, c)).toBe(c)
    expect(fmaf(-a, b, -c)).toBe(-c)
  })

  it(`${OPTIMIZER_SETTINGS.length} optimizer settings, ${STEPS} steps: every parameter and buffer equals torch's`, async () => {
    await expectTorchSteps(OPTIMIZER_SETTINGS)
  })

  it("lr=0, which torch 1.13 takes for every optimizer (its check is lr < 0): the weights stay where they are, and momentum, Adam's and RMSprop's state move as torch's do", async () => {
    const still = OPTIMIZER_SETTINGS.map((s) => ({ ...s, lr: 0 }))
    const { params, trained } = await expectTorchSteps(still)
    trained.forEach((ours, k) => expect(ours, JSON.stringify(still[k])).toEqual(params[k]))
    expect(optimizerSpecSchema.safeParse({ name: 'SGD', lr: -0.01 }).error?.issues[0].message).toBe('Learning rate must be at least 0.')
  })

  it('Adam with momentum is refused, as torch refuses it', async () => {
    const refused = optimizerSpecSchema.safeParse({ name: 'Adam', lr: 0.01, momentum: 0.9 })
    expect(refused.error?.issues[0].message).toBe('torch.optim.Adam has no momentum (torch would raise a TypeError); it takes lr, betas, eps, weight_decay, amsgrad.')
    const torch = await python<string>(`
import torch
try:
    torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.01, momentum=0.9)
    print(json.dumps('accepted'))
except TypeError as e:
    print(json.dumps('TypeError'))
`)
    expect(torch).toBe('TypeError')
  })

  it("maximize, which torch 1.13 takes and TorchLab does not offer, is refused without claiming torch has no such argument", async () => {
    // the refusal used to say torch would raise a TypeError, which torch 1.13 does not for maximize
    const refused = optimizerSpecSchema.safeParse({ name: 'SGD', lr: 0.01, maximize: true, foo: 1 })
    expect(refused.error?.issues[0].message).toBe(
      "torch.optim.SGD has no foo (torch would raise a TypeError); TorchLab does not offer torch.optim.SGD's maximize and trains with maximize=False; it takes lr, momentum, dampening, weight_decay, nesterov.",
    )
    const torch = await python<string>(`
import torch
p = torch.zeros(1, requires_grad=True)
print(json.dumps(torch.optim.SGD([p], lr=0.01, maximize=True).defaults['maximize']))
`)
    expect(torch).toBe(true)
  })
})
