/**
 * Optimizer state in torch.optim's own state_dict layout (torch 1.13), both ways:
 * {'state': {0: {...}, 1: {...}}, 'param_groups': [{lr, ..., 'params': [0, 1, ...]}]}.
 */
import { FIXED_GROUP_VALUES, optimizerOf } from '../../../shared/catalog/optimizers'
import type { OptimizerSpec } from '../../../shared/schemas'
import type { OptimizerState } from '../engine/engine'
import { parametersOf, type StateDict } from '../model/stateDict'
import { badFile } from './errors'
import { PyDict, PyTuple, type PyValue } from './pickle/values'
import { Tensor } from './tensor'

/** a param_group with torch 1.13's keys in torch's order, from the optimizer's descriptor */
function group(spec: OptimizerSpec, count: number): PyDict {
  const { args, groupKeys } = optimizerOf(spec.name)
  const values = spec as unknown as Record<string, unknown>
  const entries = groupKeys.map((key): [string, PyValue] => {
    const arg = args.find((a) => a.torch === key)
    if (!arg) return [key, FIXED_GROUP_VALUES[key]]
    const value = values[arg.key] as number | boolean | readonly number[]
    return [key, Array.isArray(value) ? new PyTuple([...value]) : (value as number | boolean)]
  })
  return new PyDict(new Map<unknown, PyValue>([...entries, ['params', Array.from({ length: count }, (_, i) => i)]]))
}

/** `model` holds parameters and buffers; the optimizer's state follows model.parameters() */
export function toTorchOptimizer(spec: OptimizerSpec, state: OptimizerState, model: StateDict): PyDict {
  const params = parametersOf(model)
  const { step } = optimizerOf(spec.name)
  const perParam = new PyDict(
    new Map(
      params.map((p, i) => {
        const buffers = state.buffers[i] ?? {}
        const entries = new Map<unknown, PyValue>()
        if (step === 'tensor') entries.set('step', new Tensor('float32', [], Float32Array.of(state.step)))
        if (step === 'int') entries.set('step', state.step)
        // torch's SGD keeps a momentum_buffer entry of None until momentum makes one
        if (spec.name === 'SGD' && !buffers.momentum_buffer) entries.set('momentum_buffer', null)
        for (const [key, data] of Object.entries(buffers)) entries.set(key, new Tensor('float32', [...p.shape], data))
        return [i, new PyDict(entries)]
      }),
    ),
  )
  return new PyDict(new Map<unknown, PyValue>([['state', perParam], ['param_groups', [group(spec, params.length)]]]))
}

/** torch's optimizer state_dict -> TorchLab's, checked against the parameters it belongs to. */
export function fromTorchOptimizer(value: PyDict, model: StateDict): OptimizerState {
  const params = parametersOf(model)
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
