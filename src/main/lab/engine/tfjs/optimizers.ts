/**
 * torch.optim's update rules (torch 1.13, single-tensor path), op for op, on tfjs variables.
 * Scalars such as Adam's bias corrections are computed in double precision first, as Python
 * does before handing them to the float32 kernels.
 */
import { stepCounter } from '../../../../shared/catalog/optimizers'
import * as tf from '@tensorflow/tfjs'
import { assertNever } from '../../../../shared/exhaustive'
import type { OptimizerSpec } from '../../../../shared/schemas'
import type { OptimizerState } from '../engine'

type State = Map<string, tf.Variable>

export interface TfOptimizer {
  apply(params: tf.Variable[], grads: tf.Tensor[]): void
  exportState(): OptimizerState
  dispose(): void
}

export function createOptimizer(spec: OptimizerSpec, shapes: number[][], initial?: OptimizerState): TfOptimizer {
  const state: State[] = shapes.map((shape, i) =>
    new Map(Object.entries(initial?.buffers[i] ?? {}).map(([key, data]) => [key, tf.variable(tf.tensor(data, shape, 'float32'), false)])),
  )
  let steps = initial?.step ?? 0
  const nextStep = stepCounter(spec.name)
  const buffer = (i: number, key: string, like: tf.Tensor, init: () => tf.Tensor = () => tf.zerosLike(like)): tf.Variable => {
    let v = state[i].get(key)
    if (!v) {
      v = tf.variable(init(), false)
      state[i].set(key, v)
    }
    return v
  }

  const step = (p: tf.Variable, g0: tf.Tensor, i: number): void => {
    switch (spec.name) {
      case 'SGD': {
        let d = spec.weightDecay !== 0 ? tf.add(g0, tf.mul(p, spec.weightDecay)) : g0
        if (spec.momentum !== 0) {
          const fresh = !state[i].has('momentum_buffer')
          const buf = buffer(i, 'momentum_buffer', d, () => tf.clone(d))
          if (!fresh) buf.assign(tf.add(tf.mul(buf, spec.momentum), tf.mul(d, 1 - spec.dampening)))
          d = spec.nesterov ? tf.add(d, tf.mul(buf, spec.momentum)) : buf
        }
        p.assign(tf.sub(p, tf.mul(d, spec.lr)))
        return
      }
      case 'Adam':
      case 'AdamW': {
        const [beta1, beta2] = spec.betas
        let g = g0
        if (spec.name === 'AdamW') p.assign(tf.mul(p, 1 - spec.lr * spec.weightDecay))
        else if (spec.weightDecay !== 0) g = tf.add(g0, tf.mul(p, spec.weightDecay))
        const m = buffer(i, 'exp_avg', p)
        const v = buffer(i, 'exp_avg_sq', p)
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)))
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.mul(g, g), 1 - beta2)))
        const stepSize = spec.lr / (1 - beta1 ** steps)
        const bc2Sqrt = Math.sqrt(1 - beta2 ** steps)
        let second: tf.Tensor = v
        if (spec.amsgrad) {
          const vMax = buffer(i, 'max_exp_avg_sq', p)
          vMax.assign(tf.maximum(vMax, v))
          second = vMax
        }
        const denom = tf.add(tf.div(tf.sqrt(second), bc2Sqrt), spec.eps)
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)))
        return
      }
      case 'RMSprop': {
        const g = spec.weightDecay !== 0 ? tf.add(g0, tf.mul(p, spec.weightDecay)) : g0
        const sq = buffer(i, 'square_avg', p)
        sq.assign(tf.add(tf.mul(sq, spec.alpha), tf.mul(tf.mul(g, g), 1 - spec.alpha)))
        let avg: tf.Tensor
        if (spec.centered) {
          const ga = buffer(i, 'grad_avg', p)
          ga.assign(tf.add(tf.mul(ga, spec.alpha), tf.mul(g, 1 - spec.alpha)))
          avg = tf.add(tf.sqrt(tf.sub(sq, tf.mul(ga, ga))), spec.eps)
        } else {
          avg = tf.add(tf.sqrt(sq), spec.eps)
        }
        if (spec.momentum > 0) {
          const buf = buffer(i, 'momentum_buffer', p)
          buf.assign(tf.add(tf.mul(buf, spec.momentum), tf.div(g, avg)))
          p.assign(tf.sub(p, tf.mul(buf, spec.lr)))
        } else {
          p.assign(tf.sub(p, tf.mul(tf.div(g, avg), spec.lr)))
        }
        return
      }
      case 'Adagrad': {
        const g = spec.weightDecay !== 0 ? tf.add(g0, tf.mul(p, spec.weightDecay)) : g0
        const sum = buffer(i, 'sum', p, () => tf.fill(p.shape, spec.initialAccumulatorValue))
        sum.assign(tf.add(sum, tf.mul(g, g)))
        const clr = spec.lr / (1 + (steps - 1) * spec.lrDecay)
        p.assign(tf.sub(p, tf.mul(tf.div(g, tf.add(tf.sqrt(sum), spec.eps)), clr)))
        return
      }
      default:
        assertNever(spec, 'optimizer')
    }
  }

  return {
    exportState() {
      return {
        step: steps,
        buffers: state.map((m) => Object.fromEntries([...m].map(([key, v]) => [key, Float32Array.from(v.dataSync())]))),
      }
    },
    apply(params, grads) {
      steps = nextStep(steps)
      tf.tidy(() => params.forEach((p, i) => step(p, grads[i], i)))
    },
    dispose() {
      state.forEach((m) => m.forEach((v) => v.dispose()))
      state.length = 0
    },
  }
}
