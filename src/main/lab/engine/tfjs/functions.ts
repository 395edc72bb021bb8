/** PyTorch's activations and losses (mean reduction) as tfjs ops. */
import * as tf from '@tensorflow/tfjs'
import type { ActivationLayer } from '../../../../shared/catalog/activations'
import type { LossSpec } from '../../../../shared/catalog/losses'
import { assertNever } from '../../../../shared/exhaustive'

const SQRT1_2 = Math.SQRT1_2

/** |x| with torch's gradient sign(x), which is 0 at 0 where tfjs's is −1 */
const absLikeTorch = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = inputs as [tf.Tensor, tf.GradSaveFunc]
  save([x])
  return { value: tf.abs(x), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sign(saved[0])) }
}) as (x: tf.Tensor2D) => tf.Tensor2D

/**
 * BCELoss with torch's gradient, (p − y) / max((1 − p)·p, 1e-12) / n: tfjs's own derivative of the
 * clamped log at a saturated Sigmoid's exact 0 or 1 is 0·∞ = NaN, where torch's stays finite (the
 * random sweep's seed 7: five Linear + Sigmoid runs diverged on tfjs alone)
 */
const bceLoss = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [p, y, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
  save([p, y])
  // logs clamped at −100, as torch's binary_cross_entropy clamps them
  const logP = tf.maximum(tf.log(p), -100)
  const log1mP = tf.maximum(tf.log(tf.sub(1, p)), -100)
  return {
    value: tf.neg(tf.mean(tf.add(tf.mul(y, logP), tf.mul(tf.sub(1, y), log1mP)))),
    gradFunc: (dy: tf.Tensor, [ps, ys]: tf.Tensor[]) => {
      const perRow = tf.div(tf.sub(ps, ys), tf.maximum(tf.mul(tf.sub(1, ps), ps), 1e-12))
      return [tf.mul(dy, tf.div(perRow, ps.size)), tf.zerosLike(ys)]
    },
  }
}) as (p: tf.Tensor2D, y: tf.Tensor2D) => tf.Scalar

export function activate(x: tf.Tensor2D, layer: ActivationLayer): tf.Tensor2D {
  switch (layer.kind) {
    case 'ReLU':
      return tf.relu(x)
    case 'Sigmoid':
      return tf.sigmoid(x)
    case 'Tanh':
      return tf.tanh(x)
    case 'LeakyReLU':
      return tf.leakyRelu(x, layer.negativeSlope)
    case 'ELU':
      if (layer.alpha === 1) return tf.elu(x)
      // relu(x) + α(e^min(x,0) − 1): the two branches as a sum, since tfjs cannot differentiate a comparison
      return tf.add(tf.relu(x), tf.mul(tf.sub(tf.exp(tf.minimum(x, 0)), 1), layer.alpha))
    case 'GELU':
      // nn.GELU's default is the exact erf form, not the tanh approximation
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, SQRT1_2))))
    case 'Softplus': {
      // x where βx > threshold, else log(1 + e^βx)/β, blended by a step (tfjs cannot differentiate a
      // comparison); the exponent is capped so the branch not taken cannot overflow into a NaN gradient
      const bx = tf.mul(x, layer.beta)
      const linear = tf.step(tf.sub(bx, layer.threshold))
      const soft = tf.div(tf.log1p(tf.exp(tf.minimum(bx, layer.threshold))), layer.beta)
      return tf.add(tf.mul(linear, x), tf.mul(tf.sub(1, linear), soft))
    }
    default:
      return assertNever(layer, 'activation')
  }
}

/** output: [n, out]; target: [n] as float (values, 0/1 labels or class indices) */
export function lossOf(spec: LossSpec, output: tf.Tensor2D, target: tf.Tensor1D): tf.Scalar {
  const name = spec.name
  if (name === 'CrossEntropyLoss') {
    const classes = output.shape[1]
    const oneHot = tf.oneHot(tf.cast(target, 'int32'), classes)
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(output)), 1)))
  }
  const y = tf.reshape(target, [-1, 1])
  switch (name) {
    case 'MSELoss':
      return tf.mean(tf.square(tf.sub(output, y)))
    case 'L1Loss':
      return tf.mean(absLikeTorch(tf.sub(output, y)))
    case 'HuberLoss':
    case 'SmoothL1Loss': {
      // ½·min(d, δ)² + δ·(d − min(d, δ)): Huber's piecewise loss with ops tfjs can differentiate;
      // SmoothL1Loss is the same divided by beta. At beta 0 it is L1Loss but for the gradient at a
      // zero residual: torch's smooth_l1_backward gives it −1/n, as tfjs's own abs does
      const delta = name === 'HuberLoss' ? spec.huberDelta : spec.smoothL1Beta
      if (delta === 0) return tf.mean(tf.abs(tf.sub(output, y)))
      const diff = absLikeTorch(tf.sub(output, y))
      const small = tf.minimum(diff, delta)
      const huber: tf.Scalar = tf.mean(tf.add(tf.mul(tf.square(small), 0.5), tf.mul(tf.sub(diff, small), delta)))
      return name === 'HuberLoss' ? huber : tf.div<tf.Scalar>(huber, delta)
    }
    case 'BCEWithLogitsLoss':
      // max(x, 0) − x·y + log(1 + e^−|x|): stable for large logits, as torch computes it
      return tf.mean(tf.add(tf.sub(tf.relu(output), tf.mul(output, y)), tf.log1p(tf.exp(tf.neg(tf.abs(output))))))
    case 'BCELoss':
      return bceLoss(output, y as tf.Tensor2D)
    default:
      return assertNever(name, 'loss')
  }
}
