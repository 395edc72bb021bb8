/** lab graph against walking loss.grad_fn.next_functions in real torch 1.13. */
import { describe, expect, it } from 'vitest'
import { graphRequestFromArgv } from '../../src/main/cli/stepArgs'
import { moduleGraph } from '../../src/main/lab/graph/autograd'
import { ACTIVATIONS } from '../../src/shared/catalog/activations'
import { LOSSES, type LossName } from '../../src/shared/catalog/losses'
import { parseLayers } from '../../src/shared/layers/text'
import { resolveModel } from '../../src/shared/modelSpec'
import type { ModelSpec } from '../../src/shared/schemas'
import type { AutogradGraph } from '../../src/shared/learning'
import { afterAll } from 'vitest'
import { createService } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())

/** make_dot's walk: depth first from the loss, each grad_fn once, None slots skipped; leaves named by their parameter */
const WALK = `
import torch
from torch import nn

def module(layer, size):
    kind = layer['kind']
    if kind == 'Linear':
        return nn.Linear(size, layer['outFeatures']), layer['outFeatures']
    if kind == 'BatchNorm1d':
        return nn.BatchNorm1d(size, affine=layer['affine']), size
    if kind == 'Dropout':
        return nn.Dropout(layer['p']), size
    return getattr(nn, kind)(), size

def walk(loss, names):
    nodes, edges, ids = [], [], {}
    stack = [(loss.grad_fn, None)]
    while stack:
        fn, parent = stack.pop()
        if fn not in ids:
            ids[fn] = 'n%d' % len(nodes)
            node = {'id': ids[fn], 'name': type(fn).__name__}
            if hasattr(fn, 'variable'):
                node['leaf'] = {'param': names[id(fn.variable)], 'shape': list(fn.variable.shape)}
            nodes.append(node)
            for nxt, _ in reversed(fn.next_functions):
                if nxt is not None:
                    stack.append((nxt, ids[fn]))
        if parent is not None:
            edges.append([ids[fn], parent])
    return {'nodes': nodes, 'edges': edges}

class LinearRegressionTorch(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
    def forward(self, x):
        return self.linear(x)

out = []
for case in INPUT['cases']:
    spec = case['model']
    if spec['kind'] == 'linear':
        model = LinearRegressionTorch(spec['inFeatures'], spec['outFeatures'])
    else:
        layers, size = [], spec['inFeatures']
        for layer in spec['layers']:
            m, size = module(layer, size)
            layers.append(m)
        model = nn.Sequential(*layers)
    model.train()
    names = {id(p): n for n, p in model.named_parameters()}
    x = torch.rand(4, spec['inFeatures'])
    out_ = model(x)
    loss_name = case['loss']
    if loss_name == 'CrossEntropyLoss':
        target = torch.tensor([0, 1, 0, 1]) % spec['outFeatures']
    else:
        target = torch.rand(4, spec['outFeatures'])
    loss = getattr(nn, loss_name)()(out_, target)
    out.append(walk(loss, names))

w = torch.rand(1, requires_grad=True, dtype=torch.float64)
b = torch.rand(1, requires_grad=True, dtype=torch.float64)
X = torch.rand(3, dtype=torch.float64)
y = torch.rand(3, dtype=torch.float64)
scratch = walk(torch.pow(X[0] * w + b - y[0], 2), {id(w): 'w', id(b): 'b'})
print(json.dumps({'cases': out, 'scratch': scratch}))
`

const sequential = (text: string, inFeatures: number, outFeatures = 1): ModelSpec => resolveModel({ kind: 'sequential', layers: parseLayers(text) }, inFeatures, outFeatures)

const cases: { model: ModelSpec; loss: LossName }[] = [
  { model: { kind: 'linear', inFeatures: 1, outFeatures: 1 }, loss: 'MSELoss' },
  // BCELoss takes probabilities: the model ends in Sigmoid, as TorchLab asks
  ...LOSSES.map((loss) =>
    loss === 'BCELoss'
      ? { model: sequential('Linear(1), Sigmoid()', 3), loss }
      : { model: { kind: 'linear' as const, inFeatures: 3, outFeatures: loss === 'CrossEntropyLoss' ? 3 : 1 }, loss },
  ),
  ...ACTIVATIONS.map((activation) => ({ model: sequential(`Linear(4), ${activation}(), Linear(3), ReLU(), Linear(1)`, 2), loss: 'MSELoss' as const })),
  { model: sequential('Linear(4), BatchNorm1d(), ReLU(), Dropout(0.2), Linear(1)', 2), loss: 'MSELoss' },
  { model: sequential('Linear(4), BatchNorm1d(affine=False), Dropout(0), Linear(1)', 2), loss: 'SmoothL1Loss' },
]

describe('autograd graph', () => {
  it("equals torch's grad_fn walk for every loss, every activation, the from-scratch loss and the course model", async () => {
    const torch = await python<{ cases: AutogradGraph[]; scratch: AutogradGraph }>(WALK, { cases })
    cases.forEach((c, i) => expect(moduleGraph(c.model, c.loss), `${c.model.kind} ${c.loss}`).toEqual(torch.cases[i]))
    expect((await service.getGraph(graphRequestFromArgv(['--scratch']).request)).autograd).toEqual(torch.scratch)
    const course = await service.getGraph(graphRequestFromArgv([]).request)
    expect(course.autograd).toEqual(torch.cases[0])
    expect(course.autograd.nodes.map((n) => n.name)).toEqual(['MseLossBackward0', 'AddmmBackward0', 'AccumulateGrad', 'TBackward0', 'AccumulateGrad'])
  })

  it('describes the model: layers as torch prints them, batch shapes and parameter counts', async () => {
    const { model } = await service.getGraph(graphRequestFromArgv(['--model', 'mlp', '--hidden', '16,8', '--x', 'wt,hp,qsec']).request)
    expect(model!.layers.map((l) => l.module)).toEqual([
      'Linear(in_features=3, out_features=16, bias=True)',
      'ReLU()',
      'Linear(in_features=16, out_features=8, bias=True)',
      'ReLU()',
      'Linear(in_features=8, out_features=1, bias=True)',
    ])
    expect(model!.layers.map((l) => l.name)).toEqual(['0', '1', '2', '3', '4'])
    expect(model!.layers[0].outShape).toEqual(['N', 16])
    expect(model!.parameterCount).toBe(3 * 16 + 16 + 16 * 8 + 8 + 8 + 1)
  })

  it('refuses a model on columns that are not there, naming the column', async () => {
    await expect(service.getGraph(graphRequestFromArgv(['--x', 'weight']).request)).rejects.toThrow(/"weight" is not in this file/)
  })
})
