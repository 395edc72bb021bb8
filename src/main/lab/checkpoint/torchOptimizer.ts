/**
 * Optimizer state in torch.optim's own state_dict layout (torch 1.13), both ways:
 * {'state': {0: {...}, 1: {...}}, 'param_groups': [{lr, ..., 'params': [0, 1, ...]}]}.
 */
import type { OptimizerSpec } from '../../../shared/schemas'
import type { OptimizerState } from '../engine/engine'
import type { StateDict } from '../model/stateDict'
import { badFile } from './errors'
import { PyDict, PyTuple, type PyValue } from './pickle/values'
import { Tensor } from './tensor'

function group(spec: OptimizerSpec, count: number): PyDict {
  const common = { foreach: null, maximize: false, differentiable: false }
  const fields: Record<string, PyValue> =
    spec.name === 'SGD'
      ? { lr: spec.lr, momentum: spec.momentum, dampening: spec.dampening, weight_decay: spec.weightDecay, nesterov: spec.nesterov, ...common }
      : spec.name === 'RMSprop'
        ? { lr: spec.lr, momentum: spec.momentum, alpha: spec.alpha, eps: spec.eps, centered: spec.centered, weight_decay: spec.weightDecay, ...common }
        : { lr: spec.lr, betas: new PyTuple([...spec.betas]), eps: spec.eps, weight_decay: spec.weightDecay, amsgrad: false, ...common, capturable: false, fused: false }
  return new PyDict(new Map<unknown, PyValue>([...Object.entries(fields), ['params', Array.from({ length: count }, (_, i) => i)]]))
}

export function toTorchOptimizer(spec: OptimizerSpec, state: OptimizerState, params: StateDict): PyDict {
  const perParam = new PyDict(
    new Map(
      params.map((p, i) => {
        const buffers = state.buffers[i] ?? {}
        const entries = new Map<unknown, PyValue>()
        if (spec.name === 'Adam' || spec.name === 'AdamW') entries.set('step', new Tensor('float32', [], Float32Array.of(state.step)))
        if (spec.name === 'RMSprop') entries.set('step', state.step)
        if (spec.name === 'SGD' && !buffers.momentum_buffer) entries.set('momentum_buffer', null)
        for (const [key, data] of Object.entries(buffers)) entries.set(key, new Tensor('float32', [...p.shape], data))
        return [i, new PyDict(entries)]
      }),
    ),
  )
  return new PyDict(new Map<unknown, PyValue>([['state', perParam], ['param_groups', [group(spec, params.length)]]]))
}

/** torch's optimizer state_dict -> TorchLab's, checked against the parameters it belongs to. */
export function fromTorchOptimizer(value: PyDict, params: StateDict): OptimizerState {
  const state = value.entries.get('state')
  if (!(state instanceof PyDict)) throw badFile('The optimizer state in this checkpoint has no "state".')
  let step = 0
  const buffers = params.map((p, i) => {
    const entry = state.entries.get(i)
    const out: [string, Float32Array][] = []
    if (!(entry instanceof PyDict)) return {}
    for (const [key, v] of entry.entries) {
      if (key === 'step') step = v instanceof Tensor ? Number(v.data[0]) : typeof v === 'number' ? v : step
      else if (v instanceof Tensor) {
        if (v.shape.join() !== p.shape.join()) {
          throw badFile(`The optimizer's ${String(key)} for "${p.name}" has shape [${v.shape.join(', ')}], not [${p.shape.join(', ')}].`, p.name)
        }
        // a copy: the tensor may view the whole file, which must not travel with the state
        out.push([String(key), v.data instanceof Float32Array ? v.data.slice() : Float32Array.from(v.data as ArrayLike<number>, Number)])
      }
    }
    // own properties even for a key named "__proto__", which assignment would turn into a prototype
    return Object.fromEntries(out)
  })
  return { step, buffers }
}
