import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../src/main/lab/engine/tfjs/backend'
import { createTfjsEngine } from '../../src/main/lab/engine/tfjs/engine'
import { lossOf } from '../../src/main/lab/engine/tfjs/functions'
import { initialStateDict } from '../../src/main/lab/model/init'
import { LOSSES, type LossName } from '../../src/shared/schemas'
import { python } from '../helpers/python'

beforeAll(async () => {
  await selectBackend('cpu')
})

const n = 12
const regressionOut = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 3)
const regressionTarget = Array.from({ length: n }, (_, i) => Math.cos(i) * 2)
const binaryTarget = Array.from({ length: n }, (_, i) => i % 2)
const logits = Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 0.9) * 4)
const classes = Array.from({ length: n }, (_, i) => i % 3)

function inputs(loss: LossName): { output: number[]; width: number; target: number[] } {
  if (loss === 'CrossEntropyLoss') return { output: logits, width: 3, target: classes }
  if (loss === 'BCEWithLogitsLoss') return { output: regressionOut, width: 1, target: binaryTarget }
  return { output: regressionOut, width: 1, target: regressionTarget }
}

describe('losses', () => {
  it("equal torch's values and gradients on shared inputs", async () => {
    const torch = await python<Record<string, { value: number; grad: number[] }>>(
      `
import torch
from torch import nn
out = {}
for name, (o, w, t) in INPUT.items():
    x = torch.tensor(o, dtype=torch.float32).reshape(-1, w).requires_grad_()
    if name == 'CrossEntropyLoss':
        target = torch.tensor(t).long()
    else:
        target = torch.tensor(t, dtype=torch.float32).reshape(-1, 1)
    fn = nn.HuberLoss(delta=1.5) if name == 'HuberLoss' else getattr(nn, name)()
    loss = fn(x, target)
    loss.backward()
    out[name] = {'value': loss.item(), 'grad': x.grad.reshape(-1).tolist()}
print(json.dumps(out))
`,
      Object.fromEntries(LOSSES.map((l) => [l, [inputs(l).output, inputs(l).width, inputs(l).target]])),
    )
    for (const loss of LOSSES) {
      const { output, width, target } = inputs(loss)
      const x = tf.tensor2d(output, [n, width])
      const y = tf.tensor1d(target)
      const f = (o: tf.Tensor) => lossOf(loss, o as tf.Tensor2D, y, 1.5)
      const value = f(x).dataSync()[0]
      const grad = Array.from(tf.grad(f)(x).dataSync())
      expect(value, loss).toBeCloseTo(torch[loss].value, 5)
      grad.forEach((g, i) => expect(g, `${loss} grad ${i}`).toBeCloseTo(torch[loss].grad[i], 6))
    }
  })
})

describe('tfjs engine', () => {
  it('leaks no tensors across epochs', async () => {
    const model = { kind: 'mlp' as const, inFeatures: 3, outFeatures: 1, hidden: [{ units: 8, activation: 'GELU' as const }] }
    const engine = await createTfjsEngine(
      {
        model,
        loss: 'HuberLoss',
        huberDelta: 1,
        optimizer: { name: 'Adam', lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
        initial: initialStateDict(model, 0),
      },
      'cpu',
    )
    const x = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i))
    const y = Float32Array.from({ length: 10 }, (_, i) => i / 10)
    const epoch = () => {
      for (let s = 0; s < 5; s++) engine.trainStep(x, y, 10)
      engine.loss(x, y, 10)
      engine.predict(x, 10)
      engine.stateDict()
    }
    epoch()
    const after1 = tf.memory().numTensors
    for (let e = 0; e < 10; e++) epoch()
    expect(tf.memory().numTensors).toBe(after1)
    engine.dispose()
  })
})
