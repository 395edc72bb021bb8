/**
 * A classifier's predicted classes are skorch's: its predict turns the model's float32 outputs
 * into torch's float32 probabilities (sigmoid, or softmax over the logits) and decides on those,
 * where logits a few ulps apart can tie. skorch's own predict runs here on the very outputs
 * TorchLab decides on, through a module that hands its input on unchanged.
 */
import { describe, expect, it } from 'vitest'
import { decide } from '../../src/main/lab/train/metrics'
import { lossOf } from '../../src/shared/catalog/losses'
import { float32Stream } from '../helpers/float32Stream'
import { python } from '../helpers/python'

const SKORCH_PREDICT = `
import numpy as np, torch
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier
torch.set_num_threads(1)

class Outputs(torch.nn.Module):
    """the rows as the model's outputs; a parameter only because skorch builds an optimizer"""
    def __init__(self, binary):
        super().__init__()
        self.binary = binary
        self.unused = torch.nn.Parameter(torch.zeros(1))
    def forward(self, X):
        return X[:, 0] if self.binary else X

out = {}
for case in INPUT:
    X = np.array([float(v) for v in case['outputs']], dtype=np.float32).reshape(-1, case['width'])
    binary = case['width'] == 1
    Net = NeuralNetBinaryClassifier if binary else NeuralNetClassifier
    net = Net(Outputs, module__binary=binary, criterion=getattr(torch.nn, case['loss'])).initialize()
    out[case['name']] = net.predict(X).tolist()
print(json.dumps(out))
`

interface Case {
  name: string
  loss: 'BCEWithLogitsLoss' | 'BCELoss' | 'CrossEntropyLoss'
  width: number
  outputs: number[]
}

/** n rows of w logits, each row a few last-bit steps around one value, so softmax's float32 probabilities tie */
function nearTies(seed: number, n: number, w: number): number[] {
  const next = float32Stream(seed)
  const rows: number[] = []
  for (let i = 0; i < n; i++) {
    const base = Math.fround(next() * 10 ** Math.floor(next() * 4 - 3))
    const step = [1e-8, 3e-8, 6e-8, 1e-7, 2e-7][Math.floor((next() + 1) * 2.5)]
    for (let j = 0; j < w; j++) rows.push(next() > 0.9 ? Math.fround(base - 1) : Math.fround(base + Math.round(next() * 3) * step))
  }
  return rows
}

/** logits at and around torch's float32 sigmoid's 0.5, and ordinary ones */
function binaryLogits(): number[] {
  const half = Math.fround(1.5 * 2 ** -24)
  const beside = (v: number, k: number) => new Float32Array(new Int32Array([new Int32Array(new Float32Array([v]).buffer)[0] + k]).buffer)[0]
  const near = [0, -0, 1e-9, 3e-8, 3.1e-8, 6e-8, half, beside(half, 1), beside(half, -1), beside(half, 2), 1e-7, 2e-7, -1e-9, -1e-7, 2 ** -149]
  const next = float32Stream(91)
  return [...near, ...Array.from({ length: 200 }, () => Math.fround(next() * 1e-6)), ...Array.from({ length: 50 }, () => Math.fround(next() * 5))]
}

describe("a classifier's predicted classes", () => {
  it("are skorch's predict on the same float32 outputs: sigmoid(logit) > 0.5 (class 0 up to a logit of 1.5·2⁻²⁴), a probability > 0.5, and softmax's argmax where logits a few ulps apart tie", async () => {
    const logits = binaryLogits()
    const next = float32Stream(7)
    const cases: Case[] = [
      { name: 'logit', loss: 'BCEWithLogitsLoss', width: 1, outputs: logits },
      { name: 'probability', loss: 'BCELoss', width: 1, outputs: [0.5, Math.fround(0.5 + 2 ** -24), Math.fround(0.5 - 2 ** -25), 0, 1, ...Array.from({ length: 50 }, () => Math.fround((next() + 1) / 2))] },
      ...[2, 3, 5, 7, 8, 9, 12, 16, 17].map((w): Case => ({ name: `softmax ${w}`, loss: 'CrossEntropyLoss', width: w, outputs: nearTies(w, 400, w) })),
      // an infinite logit: torch's softmax gives NaN there (inf − inf), and numpy's argmax takes the first NaN
      { name: 'infinite', loss: 'CrossEntropyLoss', width: 3, outputs: [0, 1, Infinity, Infinity, 0, Infinity, -Infinity, 0, 1] },
    ]
    // JSON has no infinity: Python's float() reads 'inf' and '-inf'
    const sent = cases.map((c) => ({ ...c, outputs: c.outputs.map((v) => (Number.isFinite(v) ? v : String(v).replace('Infinity', 'inf'))) }))
    const skorch = await python<Record<string, number[]>>(SKORCH_PREDICT, sent)
    let logitArgmaxDiffers = 0
    for (const c of cases) {
      const outputs = Float32Array.from(c.outputs)
      const n = outputs.length / c.width
      const ours = Array.from(decide(outputs, n, c.width, lossOf(c.loss).threshold))
      expect(ours, c.name).toEqual(skorch[c.name])
      if (c.width > 1) logitArgmaxDiffers += ours.filter((label, i) => outputs[i * c.width + label] !== Math.max(...outputs.subarray(i * c.width, (i + 1) * c.width))).length
    }
    // the cases do reach ties that the logits alone would decide otherwise
    expect(logitArgmaxDiffers).toBeGreaterThan(20)
    expect(skorch.logit.slice(0, 10)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 1])
  })
})
