/**
 * The short "why" the window shows beside a result a student asks about. One home for this
 * text, so the window, the CLI and a lesson say the same thing.
 */
import { assertNever } from './exhaustive'

export type Topic = 'gd-vs-ols' | 'lr-too-large' | 'lr-too-small' | 'divergence' | 'loss-axes' | 'precision-recall'

export function explain(topic: Topic): string {
  switch (topic) {
    case 'gd-vs-ols':
      return (
        'Least squares solves for the weights in one step (the closed form); gradient descent walks towards the same ' +
        'weights a small step at a time. With enough epochs and a fitting learning rate the two lines meet; a gap means ' +
        'training stopped early, the learning rate is off, or the loss is not mean squared error.'
      )
    case 'lr-too-large':
      return (
        'A learning rate that is too large overshoots: each step jumps past the minimum, the loss zig-zags or grows, ' +
        'and the run can diverge. Divide it by 10 and train again.'
      )
    case 'lr-too-small':
      return (
        'A learning rate that is too small creeps: the loss falls slowly and almost in a straight line, and the epochs ' +
        'run out before the weights arrive. Multiply it by 10, or train for more epochs.'
      )
    case 'divergence':
      return (
        'Diverged means the loss became infinite or not a number: the steps grew instead of shrinking, so the weights ' +
        'ran off to huge values. The metrics shown are of the weights before the blow-up. Lower the learning rate, or ' +
        'scale the features.'
      )
    case 'loss-axes':
      return 'Runs are drawn on one loss axis only when their losses are of one kind: a cross-entropy and a squared error are not comparable numbers.'
    case 'precision-recall':
      return (
        "Precision: of the rows the model called this class, the share that were. Recall: of the rows of this class, the " +
        "share the model found. F1 is the two's harmonic mean, and support the class's rows. Accuracy can look high while " +
        'a small class is never found: its recall says so.'
      )
    default:
      return assertNever(topic)
  }
}
