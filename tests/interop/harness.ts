/** Trains one request in real PyTorch and in each engine asked for, from the same initial weights. */
import { expect } from 'vitest'
import { LOSS_TABLE, type LossName } from '../../src/shared/catalog/losses'
import type { LabService } from '../../src/main/lab/service'
import { resolveModel } from '../../src/shared/modelSpec'
import { modelArchSchema, type ModelSpec, type TrainRequestInput } from '../../src/shared/schemas'
import { torchTrain } from '../helpers/python'
import { torchModules } from '../helpers/torchModules'

export const ENGINES = ['dense', 'tfjs'] as const
export type EngineName = (typeof ENGINES)[number]

/** the model the request trains, sized for the data */
export function specOf(request: TrainRequestInput, outputs = 1): ModelSpec {
  return resolveModel(modelArchSchema.parse(request.model), request.dataset.features.length, outputs)
}

export async function trainBoth(
  service: LabService,
  request: TrainRequestInput & { init: NonNullable<TrainRequestInput['init']> },
  csv: string,
  { outputs = 1, engines = ENGINES }: { outputs?: number; engines?: readonly EngineName[] } = {},
) {
  const runs = await Promise.all(engines.map((engine) => service.startTraining({ ...request, engine })))
  const loss: LossName = request.train.loss ?? 'MSELoss'
  const lossArgs = request.train as Record<string, unknown>
  const spec = specOf(request, outputs)
  const [torch, ...results] = await Promise.all([
    torchTrain({
      csv,
      features: request.dataset.features,
      target: request.dataset.target,
      scale: request.dataset.scale ?? 'none',
      model: spec.kind === 'linear' ? { kind: 'linear' } : { kind: 'sequential', modules: torchModules(spec) },
      outputs,
      loss,
      loss_kwargs: Object.fromEntries(LOSS_TABLE[loss].args.flatMap((a) => (lossArgs[a.key] === undefined ? [] : [[a.torch, lossArgs[a.key] as number]]))),
      optimizer: request.train.optimizer,
      epochs: request.train.epochs,
      batch_size: request.train.batchSize,
      init: request.init,
    }),
    ...runs.map(({ runId }) => service.waitForRun(runId)),
  ])
  for (const ours of results) expect(ours.status, ours.error?.message).toBe('completed')
  expect(results.map((e) => e.engine)).toEqual(engines)
  return { engines: results, torch, runIds: runs.map((r) => r.runId) }
}
