/**
 * The graph autograd records for a loss, as `make_dot(loss)` draws it: grad_fn nodes by
 * torch's class names, from the loss back to the AccumulateGrad of every leaf. The tables
 * come from walking `loss.grad_fn.next_functions` in torch 1.13 for each layer, activation
 * and loss TorchLab offers (tests/lab/graph.test.ts walks them again and compares). Inputs
 * and targets need no gradient, so their slots in next_functions are None and not drawn.
 */
import type { AutogradGraph, GradNode } from '../../../shared/learning'
import { denseLayers, type DenseLayer } from '../../../shared/modelSpec'
import type { Activation, LossName, ModelSpec } from '../../../shared/schemas'

/** grad_fn names from the loss down to the model's output */
const LOSS_NODES: Record<LossName, string[]> = {
  MSELoss: ['MseLossBackward0'],
  L1Loss: ['MeanBackward0', 'AbsBackward0', 'SubBackward0'],
  HuberLoss: ['HuberLossBackward0'],
  BCEWithLogitsLoss: ['BinaryCrossEntropyWithLogitsBackward0'],
  CrossEntropyLoss: ['NllLossBackward0', 'LogSoftmaxBackward0'],
}

const ACTIVATION_NODE: Record<Activation, string> = {
  ReLU: 'ReluBackward0',
  Sigmoid: 'SigmoidBackward0',
  Tanh: 'TanhBackward0',
  LeakyReLU: 'LeakyReluBackward0',
  ELU: 'EluBackward0',
  GELU: 'GeluBackward0',
}

/** a grad_fn and its next_functions in torch's order (None slots left out) */
interface Fn {
  name: string
  leaf?: GradNode['leaf']
  next: Fn[]
}

const fn = (name: string, ...next: Fn[]): Fn => ({ name, next })
const accumulate = (param: string, shape: number[]): Fn => ({ name: 'AccumulateGrad', leaf: { param, shape }, next: [] })

/** nn.Linear on a batch is addmm(bias, input, weight.t()): next_functions (bias, input, TBackward0) */
function linear(layer: DenseLayer, input: Fn | null): Fn {
  const bias = accumulate(layer.bias, [layer.outFeatures])
  const weight = fn('TBackward0', accumulate(layer.weight, [layer.outFeatures, layer.inFeatures]))
  return fn('AddmmBackward0', ...(input ? [bias, input, weight] : [bias, weight]))
}

function withLoss(output: Fn, loss: LossName): Fn {
  return LOSS_NODES[loss].reduceRight((inner, name) => fn(name, inner), output)
}

/** Numbers nodes as a depth-first walk from the loss meets them, as make_dot does. */
function flatten(root: Fn): AutogradGraph {
  const nodes: GradNode[] = []
  const edges: [string, string][] = []
  const stack: { f: Fn; parent?: string }[] = [{ f: root }]
  while (stack.length) {
    const { f, parent } = stack.pop()!
    const id = `n${nodes.length}`
    nodes.push({ id, name: f.name, ...(f.leaf ? { leaf: f.leaf } : {}) })
    if (parent) edges.push([id, parent])
    for (let i = f.next.length - 1; i >= 0; i--) stack.push({ f: f.next[i], parent: id })
  }
  return { nodes, edges }
}

export function moduleGraph(spec: ModelSpec, loss: LossName): AutogradGraph {
  let output: Fn | null = null
  for (const layer of denseLayers(spec)) {
    output = linear(layer, output)
    if (layer.activation) output = fn(ACTIVATION_NODE[layer.activation], output)
  }
  return flatten(withLoss(output!, loss))
}

/** `(X[i] * w + b - y[i]) ** 2` */
export function scratchGraph(): AutogradGraph {
  return flatten(fn('PowBackward0', fn('SubBackward0', fn('AddBackward0', fn('MulBackward0', accumulate('w', [1])), accumulate('b', [1])))))
}
