/** PyTorch's activations and losses (mean reduction) as tfjs ops. */
import * as tf from '@tensorflow/tfjs'
import type { Activation, LossName } from '../../../../shared/schemas'

const SQRT1_2 = Math.SQRT1_2

export function activate(x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  switch (activation) {
    case 'ReLU':
      return tf.relu(x)
    case 'Sigmoid':
      return tf.sigmoid(x)
    case 'Tanh':
      return tf.tanh(x)
    case 'LeakyReLU':
      return tf.leakyRelu(x, 0.01)
    case 'ELU':
      return tf.elu(x)
    case 'GELU':
      // nn.GELU's default is the exact erf form, not the tanh approximation
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, SQRT1_2))))
  }
}

/** output: [n, out]; target: [n] as float (values, 0/1 labels or class indices) */
export function lossOf(name: LossName, output: tf.Tensor2D, target: tf.Tensor1D, huberDelta: number): tf.Scalar {
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
      return tf.mean(tf.abs(tf.sub(output, y)))
    case 'HuberLoss': {
      // ½·min(d, δ)² + δ·(d − min(d, δ)): the same piecewise loss, written with ops tfjs can differentiate
      const diff = tf.abs(tf.sub(output, y))
      const small = tf.minimum(diff, huberDelta)
      return tf.mean(tf.add(tf.mul(tf.square(small), 0.5), tf.mul(tf.sub(diff, small), huberDelta)))
    }
    case 'BCEWithLogitsLoss':
      // max(x, 0) − x·y + log(1 + e^−|x|): stable for large logits, as torch computes it
      return tf.mean(tf.add(tf.sub(tf.relu(output), tf.mul(output, y)), tf.log1p(tf.exp(tf.neg(tf.abs(output))))))
  }
}
