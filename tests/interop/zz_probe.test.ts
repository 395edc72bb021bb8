import { it } from 'vitest'
import { createEngine } from '../../src/main/lab/engine/select'
import { initialStateDict } from '../../src/main/lab/model/init'
import { resolveModel } from '../../src/shared/modelSpec'
import { modelArchSchema } from '../../src/shared/schemas'
import { optimizerSpecSchema } from '../../src/shared/catalog/optimizers'
import { lossDefaults, type LossName } from '../../src/shared/catalog/losses'
import { float32Stream } from '../helpers/float32Stream'
import { python } from '../helpers/python'
import { torchModules } from '../helpers/torchModules'
import { torchOptimizerKwargs } from '../helpers/optimizerSettings'

const LAYERS = JSON.parse(process.env.LAYERS ?? '[{"kind":"Linear","outFeatures":4},{"kind":"Sigmoid"},{"kind":"Linear"}]')
const LOSS = (process.env.LOSS ?? 'HuberLoss') as LossName
const OPT = JSON.parse(process.env.OPT ?? '{"name":"SGD","lr":0.05}')
const ROWS = Number(process.env.ROWS ?? 8), BATCH = Number(process.env.BATCH ?? 8), STEPS = Number(process.env.STEPS ?? 20), F = 3
const DELTA = Number(process.env.DELTA ?? 0.5)

it('probe', async () => {
  const spec = resolveModel(modelArchSchema.parse({ kind: 'sequential', layers: LAYERS }), F, 1)
  const next = float32Stream(7)
  const x = Float32Array.from({ length: ROWS * F }, () => next() * 3)
  const y = Float32Array.from({ length: ROWS }, (_, r) => Math.fround(x[r * F] - x[r * F + 1] + next()))
  const init = initialStateDict(spec, 3)
  const optimizer = optimizerSpecSchema.parse(OPT)
  const loss = { name: LOSS, ...lossDefaults(), huberDelta: DELTA, smoothL1Beta: DELTA }
  const run = await createEngine({ model: spec, loss, optimizer, initial: init, seed: 0 }, 'dense', 'auto')
  run.train()
  const ours: number[][] = []
  for (let s = 0; s < STEPS; s++) {
    const b = (s * BATCH) % ROWS, n = Math.min(BATCH, ROWS - b)
    run.trainStep(x.subarray(b * F, (b + n) * F), y.subarray(b, b + n), n)
    ours.push(run.stateDict().flatMap((t) => Array.from(t.data)))
  }
  const torch = await python<number[][]>(`
import torch
from torch import nn
torch.set_num_threads(1)
m = nn.Sequential(*[getattr(nn, l['type'])(**l['kwargs']) for l in INPUT['modules']])
m.load_state_dict({k: torch.tensor(v, dtype=torch.float32).reshape(m.state_dict()[k].shape) if m.state_dict()[k].is_floating_point() else torch.tensor(int(v[0])) for k, v in INPUT['init'].items()})
x = torch.tensor(INPUT['x']).reshape(-1, ${F}); y = torch.tensor(INPUT['y']).reshape(-1, 1)
o = dict(INPUT['opt']); 
if 'betas' in o: o['betas'] = tuple(o['betas'])
opt = getattr(torch.optim, INPUT['name'])(m.parameters(), **o)
kw = {'HuberLoss': {'delta': ${DELTA}}, 'SmoothL1Loss': {'beta': ${DELTA}}}.get('${LOSS}', {})
lf = getattr(nn, '${LOSS}')(**kw)
out = []
for s in range(${STEPS}):
    b = (s * ${BATCH}) % ${ROWS}
    opt.zero_grad(); lf(m(x[b:b+${BATCH}]), y[b:b+${BATCH}]).backward(); opt.step()
    out.append([v for t in m.state_dict().values() for v in t.reshape(-1).tolist()])
print(json.dumps(out))
`, { modules: torchModules(spec), init: Object.fromEntries(init.map((t) => [t.name, Array.from(t.data)])), x: Array.from(x), y: Array.from(y), name: optimizer.name, opt: torchOptimizerKwargs(optimizer) })
  for (let s = 0; s < STEPS; s++) {
    const diff = ours[s].map((v, i) => Math.abs(v - torch[s][i]))
    const k = diff.filter((d) => d > 0).length
    if (k) { console.log(`first difference at step ${s}: ${k} values, max ${Math.max(...diff)}`); return }
  }
  console.log(`bit for bit for ${STEPS} steps`)
})
