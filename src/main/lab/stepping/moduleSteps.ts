/**
 * An nn.Module run one optimizer step at a time (zero_grad → forward → loss → backward →
 * step), recording each batch's rows, outputs, loss, every parameter's gradient and the
 * parameters after the update. Same DataLoader and engine as a training run, so the steps
 * are the first steps of `lab train` with the same options.
 */
import { labError } from '../../../shared/errors'
import { stepCap, type StepRecord, type StepTrace } from '../../../shared/learning'
import type { TrainConfig } from '../../../shared/schemas'
import { lossSpecOf } from '../../../shared/catalog/losses'
import { DataLoader } from '../data/dataloader'
import type { Split } from '../data/dataset'
import type { Engine } from '../engine/engine'
import { stateDictToJson } from '../model/stateDict'
import { BatchGather } from '../train/loop'

export function moduleTrace(engine: Engine, train: Split, features: number, config: TrainConfig, steps: number): StepTrace {
  const gradients = engine.lastGradients?.bind(engine)
  const lastOutputs = engine.lastOutputs?.bind(engine)
  if (!gradients || !lastOutputs) throw labError('ENGINE_FAILED', `The ${engine.info.engine} engine cannot show gradients; step with the dense engine.`)
  const loader = new DataLoader(train.n, config)
  const gatherer = new BatchGather(train, features, Math.min(config.batchSize, train.n))
  const initial = stateDictToJson(engine.stateDict())
  const records: StepRecord[] = []
  const done = (stopped?: string): StepTrace => ({ kind: 'module', loss: lossSpecOf(config), optimizer: config.optimizer, initial, steps: records, ...(stopped ? { stopped } : {}) })
  if (loader.batchesPerEpoch === 0) return done('drop_last leaves no full batch: the training set has fewer rows than one batch.')
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const batches = loader.nextEpoch()
    for (let b = 0; b < batches.length; b++) {
      if (records.length === steps) return done(stepCap(steps))
      const { x, y } = gatherer.gather(batches[b])
      const n = batches[b].length
      // the step's own forward pass: a second one in training mode would draw Dropout's masks and move BatchNorm1d's statistics again
      const loss = engine.trainStep(x, y, n)
      const outputs = Array.from(lastOutputs(n))
      if (!Number.isFinite(loss)) {
        return done(`The loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'} at epoch ${epoch}, batch ${b + 1}: the weights blew up. Try a smaller learning rate.`)
      }
      records.push({
        epoch,
        batch: b + 1,
        indices: Array.from(batches[b]),
        outputs,
        targets: Array.from(y),
        loss,
        grads: stateDictToJson(gradients()),
        params: stateDictToJson(engine.stateDict()),
      })
    }
  }
  return done(records.length < steps ? `The run ended after ${records.length} steps (${config.epochs} epochs).` : undefined)
}
