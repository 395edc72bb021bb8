/** torch 1.13's own float32 results for the kernel-level parity tests, from one Python snippet each */
import type { ModelSpec } from '../../src/shared/schemas'
import { python } from '../helpers/python'
import { torchModules } from '../helpers/torchModules'

export interface LinearCase {
  n: number
  k: number
  m: number
  x: number[]
  w: number[]
  b: number[]
  dy: number[]
}

/** a case per [n, k, m], drawn from `value(scale)`: inputs and gradients of every scale, so a sum's order shows in its bits */
export function linearCases(shapes: readonly (readonly number[])[], value: (scale: number) => number): LinearCase[] {
  return shapes.map(([n, k, m]) => ({
    n,
    k,
    m,
    x: Array.from({ length: n * k }, () => value(100)),
    w: Array.from({ length: m * k }, () => value(1)),
    b: Array.from({ length: m }, () => value(10)),
    dy: Array.from({ length: n * m }, () => value(1e4)),
  }))
}

/** nn.Linear's forward pass, dx and dW for each case, on one thread as TorchLab follows it */
export function torchLinear(cases: LinearCase[]): Promise<{ y: number[]; dx: number[]; dw: number[] }[]> {
  return python(
    `
import torch
torch.set_num_threads(1)
out = []
for c in INPUT:
    lin = torch.nn.Linear(c['k'], c['m'])
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(c['w']).reshape(c['m'], c['k']))
        lin.bias.copy_(torch.tensor(c['b']))
    x = torch.tensor(c['x']).reshape(c['n'], c['k']).requires_grad_()
    y = lin(x)
    y.backward(torch.tensor(c['dy']).reshape(c['n'], c['m']))
    out.append({'y': y.reshape(-1).tolist(), 'dx': x.grad.reshape(-1).tolist(), 'dw': lin.weight.grad.reshape(-1).tolist()})
print(json.dumps(out))
`,
    cases,
  )
}

/**
 * an activation's forward pass and input gradient as torch computes them on the whole tensor (its
 * 16-float vector loop, the last numel mod 16 in its scalar path) and value by value (the scalar
 * path alone); `call` applies torch.nn.functional to `v` with the arguments in `A`
 */
export function torchActivation(call: string, x: Float32Array, dy: Float32Array, args: Record<string, number>): Promise<{ vector: number[]; scalar: number[]; dx: number[]; scalarDx: number[] }> {
  return python(
    `
import torch
torch.set_num_threads(1)
A = INPUT['args']
F = lambda v: ${call}
x = torch.tensor(INPUT['x'], dtype=torch.float32)
dy = torch.tensor(INPUT['dy'], dtype=torch.float32)
vector = F(x)
scalar = torch.cat([F(v.reshape(1)) for v in x])
xs = x.clone().requires_grad_()
F(xs).backward(dy)
scalar_dx = []
for i in range(len(x)):
    v = x[i].reshape(1).clone().requires_grad_()
    F(v).backward(dy[i].reshape(1))
    scalar_dx.append(v.grad.item())
print(json.dumps({'vector': vector.tolist(), 'scalar': scalar.tolist(), 'dx': xs.grad.tolist(), 'scalarDx': scalar_dx}))
`,
    { x: Array.from(x), dy: Array.from(dy), args },
  )
}

/** torch's own initial weights for each spec, torch.save()d as a state_dict: its init after torch.manual_seed(seed), or zeros */
export function torchInitialFiles(files: { seed: number; zero: boolean; pth: string; spec: ModelSpec }[]): Promise<number> {
  return python(
    `
import torch
from torch import nn
for case in INPUT:
    torch.manual_seed(case['seed'])
    modules = case['modules']
    if modules is None:
        model = nn.Module()
        model.linear = nn.Linear(case['features'], case['outputs'])
    else:
        model = nn.Sequential(*[getattr(nn, m['type'])(**m['kwargs']) for m in modules])
    if case['zero']:
        with torch.no_grad():
            for p in model.parameters(): p.zero_()
    torch.save(model.state_dict(), case['pth'])
print(json.dumps(len(INPUT)))
`,
    files.map(({ seed, zero, pth, spec }) => ({ seed, zero, pth, modules: spec.kind === 'linear' ? null : torchModules(spec), features: spec.inFeatures, outputs: spec.outFeatures })),
  )
}
