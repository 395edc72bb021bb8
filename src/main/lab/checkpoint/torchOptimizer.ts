/**
 * Optimizer state in torch.optim's own state_dict layout (torch 1.13), both ways:
 * {'state': {0: {...}, 1: {...}}, 'param_groups': [{lr, ..., 'params': [0, 1, ...]}]}.
 */
import { issueSentences, studentSentences } from '../../../shared/issueSentence'
import { py } from '../../../shared/catalog/args'
import { FIXED_GROUP_VALUES, OPTIMIZERS, optimizerOf, optimizerSpecSchema, type OptimizerName } from '../../../shared/catalog/optimizers'
import type { OptimizerSpec } from '../../../shared/schemas'
import type { OptimizerState } from '../engine/engine'
import { parametersOf, type StateDict } from '../model/stateDict'
import { PyDict, PyTuple, type PyValue } from './pickle/values'
import { Tensor, toFloat32 } from './tensor'

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

/** the per-parameter state each torch.optim class keeps (torch 1.13), by the names torch gives it */
const STATE_KEYS: Record<OptimizerName, readonly string[]> = {
  SGD: ['momentum_buffer'],
  Adam: ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  AdamW: ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  RMSprop: ['step', 'square_avg', 'momentum_buffer', 'grad_avg'],
  Adagrad: ['step', 'sum'],
}

/**
 * What a file's optimizer_state_dict gives a run. Restored: the state, and the file's own
 * param_group settings, which torch's optimizer.load_state_dict puts in place of the ones the
 * optimizer was built with. Otherwise the run starts its optimizer fresh, and `note` says why.
 */
export type OptimizerRestore = { spec: OptimizerSpec; state: OptimizerState; note: string } | { spec?: undefined; note: string }

/** a mismatch, as the sentence that ends the note */
class Mismatch extends Error {}

/**
 * The largest step a file may bring: a float32 step tensor counts exactly to 2^24, and beyond it
 * torch's count depends on whether the file held a tensor or an int (stepCounter).
 */
const STEP_LIMIT = 2 ** 24

/**
 * The torch.optim class whose param_groups have these keys: it has every argument of that class
 * and (Adam and AdamW share them) torch's order of the rest (torch 1.13 to 2.x write AdamW's
 * foreach before maximize, Adam's after); newer torch names AdamW by decoupled_weight_decay.
 */
function kindOf(group: PyDict): OptimizerName {
  const keys = [...group.entries.keys()].filter((k): k is string => typeof k === 'string')
  const decoupled = group.entries.get('decoupled_weight_decay')
  const withArgs = OPTIMIZERS.filter((name) => optimizerOf(name).args.every((a) => keys.includes(a.torch)))
  const inOrder = (name: OptimizerName) => {
    const order = optimizerOf(name).groupKeys
    const common = keys.filter((k) => order.includes(k))
    return common.join() === order.filter((k) => keys.includes(k)).join()
  }
  const found = typeof decoupled === 'boolean' ? withArgs.filter((n) => (n === 'AdamW') === decoupled) : withArgs.length > 1 ? withArgs.filter(inOrder) : withArgs
  if (found.length === 1) return found[0]
  throw new Mismatch(`its param_group's keys (${keys.join(', ')}) are not those of one torch.optim optimizer TorchLab offers (${OPTIMIZERS.join(', ')})`)
}

const plainNumber = (v: PyValue | undefined): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined)

/** the file's settings as TorchLab's spec: torch's keys read back through the optimizer's descriptor */
function settingsOf(name: OptimizerName, group: PyDict): OptimizerSpec {
  if (group.entries.get('maximize') === true) throw new Mismatch('its param_group has maximize=True, and TorchLab only minimises the loss')
  const values = Object.fromEntries(
    optimizerOf(name).args.map((a) => {
      const v = group.entries.get(a.torch)
      return [a.key, v instanceof PyTuple ? v.items.map(plainNumber) : (plainNumber(v) ?? v)]
    }),
  )
  const parsed = optimizerSpecSchema.safeParse({ name, ...values }, { error: studentSentences })
  if (!parsed.success) throw new Mismatch(`its param_group's settings are not ones TorchLab can run: ${issueSentences(parsed.error).map((s) => s.replace(/\.$/, '')).join('; ')}`)
  return parsed.data
}

/** each parameter's state in the model's order (the group's 'params' ids name it, as torch's id_map does), and the step they share */
function stateOf(name: OptimizerName, value: PyDict, group: PyDict, model: StateDict): OptimizerState {
  const params = parametersOf(model)
  const ids = group.entries.get('params')
  if (!Array.isArray(ids)) throw new Mismatch("its param_group lists no 'params'")
  // torch's own check: "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
  if (ids.length !== params.length) throw new Mismatch(`it holds state for ${ids.length} parameters and this model has ${params.length}`)
  const state = value.entries.get('state')
  if (!(state instanceof PyDict)) throw new Mismatch("it has no 'state'")
  const steps = new Set<number>()
  const buffers = params.map((p, i) => {
    const entry = state.get(plainNumber(ids[i]) ?? ids[i])
    if (entry === undefined) return {}
    if (!(entry instanceof PyDict)) throw new Mismatch(`its state for "${p.name}" is not a dict`)
    const out: [string, Float32Array][] = []
    for (const [key, v] of entry.entries) {
      if (typeof key !== 'string' || !STATE_KEYS[name].includes(key)) throw new Mismatch(`its state for "${p.name}" holds "${String(key)}", which torch.optim.${name} does not keep`)
      if (key === 'step') {
        const step = v instanceof Tensor && v.numel === 1 ? Number(v.data[0]) : plainNumber(v)
        if (step === undefined) throw new Mismatch(`the step for "${p.name}" is not a number`)
        if (!Number.isInteger(step) || step < 0 || step > STEP_LIMIT) {
          throw new Mismatch(`the step for "${p.name}" is ${step}, and TorchLab continues from a whole number of steps from 0 to ${STEP_LIMIT} (2^24)`)
        }
        steps.add(step)
      } else if (v instanceof Tensor) {
        if (v.shape.join() !== p.shape.join()) throw new Mismatch(`its ${key} for "${p.name}" has shape [${v.shape.join(', ')}], and the parameter has shape [${p.shape.join(', ')}]`)
        // a copy, cast to the parameter's float32 as torch casts it: the tensor may view the whole file, which must not travel with the state
        out.push([key, toFloat32(v.data)])
      } else if (v !== null) {
        throw new Mismatch(`its ${key} for "${p.name}" is not a tensor`)
      }
    }
    // own properties even for a key named "__proto__", which assignment would turn into a prototype
    return Object.fromEntries(out)
  })
  if (steps.size > 1) throw new Mismatch(`its parameters have taken different numbers of steps (${[...steps].join(', ')}), and TorchLab counts one step for all`)
  if (optimizerOf(name).step !== 'none' && steps.size === 0 && buffers.some((b) => Object.keys(b).length > 0)) throw new Mismatch('its state has no step')
  return { step: [...steps][0] ?? 0, buffers }
}

/** the file's settings that differ from the run's, as Python writes them */
function differences(file: OptimizerSpec, run: OptimizerSpec): string[] {
  const a = file as unknown as Record<string, unknown>
  const b = run as unknown as Record<string, unknown>
  return optimizerOf(file.name)
    .args.filter((arg) => py(a[arg.key]) !== py(b[arg.key]))
    .map((arg) => `${arg.torch}=${py(a[arg.key])} (this run asked for ${py(b[arg.key])})`)
}

/** torch's optimizer.load_state_dict for a run's optimizer of one param group over `model`'s parameters */
export function restoreOptimizer(value: PyValue, model: StateDict, run: OptimizerSpec, source: string): OptimizerRestore {
  try {
    if (!(value instanceof PyDict)) throw new Mismatch('it is not a dict')
    const groups = value.entries.get('param_groups')
    if (!Array.isArray(groups) || !groups.every((g) => g instanceof PyDict)) throw new Mismatch("it has no list of 'param_groups'")
    // torch's own check: "loaded state dict has a different number of parameter groups"
    if (groups.length !== 1) throw new Mismatch(`it has ${groups.length} param groups, and TorchLab trains all parameters as one`)
    const group = groups[0] as PyDict
    const name = kindOf(group)
    if (name !== run.name) throw new Mismatch(`it is torch.optim.${name}'s, and this run uses ${run.name}`)
    const spec = settingsOf(name, group)
    const state = stateOf(name, value, group, model)
    const changed = differences(spec, run)
    const settings = changed.length ? `its settings replace this run's, as torch's do: ${changed.join(', ')}` : "its settings are this run's"
    const at = optimizerOf(name).step === 'none' ? '' : ` at step ${state.step}`
    return { spec, state, note: `Restored the torch.optim.${name} state from ${source}${at}, as optimizer.load_state_dict does; ${settings}.` }
  } catch (err) {
    if (!(err instanceof Mismatch)) throw err
    return { note: `The optimizer state in ${source} was not used: ${err.message}. The optimizer starts fresh.` }
  }
}
