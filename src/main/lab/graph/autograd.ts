/**
 * The graph autograd records for a loss, as `make_dot(loss)` draws it: grad_fn nodes by
 * torch's class names, from the loss back to the AccumulateGrad of every leaf. The tables
 * come from walking `loss.grad_fn.next_functions` in torch 1.13 for each layer, activation
 * and loss TorchLab offers (tests/lab/graph.test.ts walks them again and compares). Inputs
 * and targets need no gradient, so their slots in next_functions are None and not drawn.
 */
import type { AutogradGraph, GradNode } from '../../../shared/learning'
import type { ActivationName } from '../../../shared/catalog/activations'
import { assertNever } from '../../../shared/exhaustive'
import { placeLayers, type PlacedLayer } from '../../../shared/modelSpec'
import type { LossName, ModelSpec } from '../../../shared/schemas'

/** grad_fn names from the loss down to the model's output */
const LOSS_NODES: Record<LossName, string[]> = {
  MSELoss: ['MseLossBackward0'],
  L1Loss: ['MeanBackward0', 'AbsBackward0', 'SubBackward0'],
  HuberLoss: ['HuberLossBackward0'],
  SmoothL1Loss: ['SmoothL1LossBackward0'],
  BCEWithLogitsLoss: ['BinaryCrossEntropyWithLogitsBackward0'],
  BCELoss: ['BinaryCrossEntropyBackward0'],
  CrossEntropyLoss: ['NllLossBackward0', 'LogSoftmaxBackward0'],
}

const ACTIVATION_NODE: Record<ActivationName, string> = {
  ReLU: 'ReluBackward0',
  Sigmoid: 'SigmoidBackward0',
  Tanh: 'TanhBackward0',
  LeakyReLU: 'LeakyReluBackward0',
  ELU: 'EluBackward0',
  GELU: 'GeluBackward0',
  Softplus: 'SoftplusBackward0',
}

/** a grad_fn and its next_functions in torch's order (None slots left out) */
interface Fn {
  name: string
  leaf?: GradNode['leaf']
  next: Fn[]
}

const fn = (name: string, ...next: Fn[]): Fn => ({ name, next })
const accumulate = (param: string, shape: number[]): Fn => ({ name: 'AccumulateGrad', leaf: { param, shape }, next: [] })

/** one layer in training mode, on top of its input's grad_fn (null for the data, which needs no gradient) */
function layerFn({ prefix, layer, inFeatures, outFeatures }: PlacedLayer, input: Fn | null): Fn | null {
  switch (layer.kind) {
    case 'Linear': {
      // addmm(bias, input, weight.t()): next_functions (bias, input, TBackward0)
      const bias = accumulate(`${prefix}.bias`, [outFeatures])
      const weight = fn('TBackward0', accumulate(`${prefix}.weight`, [outFeatures, inFeatures]))
      return fn('AddmmBackward0', ...(input ? [bias, input, weight] : [bias, weight]))
    }
    case 'BatchNorm1d': {
      const params = layer.affine ? [accumulate(`${prefix}.weight`, [inFeatures]), accumulate(`${prefix}.bias`, [inFeatures])] : []
      return fn('NativeBatchNormBackward0', ...(input ? [input] : []), ...params)
    }
    case 'Dropout':
      // torch 1.13 on the CPU multiplies by the scaled mask; with p = 0 it returns its input untouched
      return layer.p === 0 || !input ? input : fn('MulBackward0', input)
    case 'ReLU':
    case 'Sigmoid':
    case 'Tanh':
    case 'LeakyReLU':
    case 'ELU':
    case 'GELU':
    case 'Softplus':
      return input && fn(ACTIVATION_NODE[layer.kind], input)
    default:
      return assertNever(layer, 'layer kind')
  }
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
  const output = placeLayers(spec).reduce<Fn | null>((input, placed) => layerFn(placed, input), null)
  if (!output) throw new Error('a model without parameters before its output has no autograd graph')
  return flatten(withLoss(output, loss))
}

/** `(X[i] * w + b - y[i]) ** 2` */
export function scratchGraph(): AutogradGraph {
  return flatten(fn('PowBackward0', fn('SubBackward0', fn('AddBackward0', fn('MulBackward0', accumulate('w', [1])), accumulate('b', [1])))))
}
