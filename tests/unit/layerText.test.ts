/** `--layers` text and the catalogue-driven flags of `lab train`, parsed without starting a run. */
import { describe, expect, it } from 'vitest'
import { parseTrainArgv, trainRequestFromArgs } from '../../src/main/cli/trainArgs'
import { parseLayers } from '../../src/shared/layers/text'
import { resolveModel } from '../../src/shared/modelSpec'
import { modelArchSchema, trainRequestSchema } from '../../src/shared/schemas'

const request = (argv: string[]) => trainRequestSchema.parse(trainRequestFromArgs(parseTrainArgv(argv)))

describe('--layers', () => {
  it('reads PyTorch-style text, by position or keyword, and sizes it from the data', () => {
    const layers = parseLayers('nn.Linear(16), BatchNorm1d(16, momentum=0.2), LeakyReLU(negative_slope=0.1), Dropout(0.2), Softplus(2, 10), Linear(1)')
    expect(layers).toEqual([
      { kind: 'Linear', outFeatures: 16 },
      { kind: 'BatchNorm1d', numFeatures: 16, eps: 1e-5, momentum: 0.2, affine: true, trackRunningStats: true },
      { kind: 'LeakyReLU', negativeSlope: 0.1 },
      { kind: 'Dropout', p: 0.2 },
      { kind: 'Softplus', beta: 2, threshold: 10 },
      { kind: 'Linear', outFeatures: 1 },
    ])
    const spec = resolveModel(modelArchSchema.parse({ kind: 'sequential', layers }), 3, 1)
    expect(spec.kind === 'sequential' && spec.layers[0]).toEqual({ kind: 'Linear', inFeatures: 3, outFeatures: 16 })
  })

  const bad: [string, RegExp][] = [
    ['Linear(16), Conv2d(3)', /Layer 1 \("Conv2d"\) is not a layer TorchLab builds/],
    ['Dropout(1.5)', /Layer 0 \(Dropout\): p must be at most 1/],
    ['ReLU(2)', /Layer 0 \(ReLU\) takes no positional arguments/],
    ['ELU(beta=1)', /Layer 0 \(ELU\) has no argument "beta"; it takes alpha/],
    ['Linear(sixteen)', /"sixteen" is not a number/],
    ['Dropout(p=0.1, 0.2)', /positional arguments come before keyword arguments/],
    ['', /at least one layer/],
  ]
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)} naming the layer`, () => expect(() => parseLayers(text)).toThrow(message))
  }

  it('checks a written width against the data when the model is sized', () => {
    const arch = modelArchSchema.parse({ kind: 'sequential', layers: parseLayers('Linear(4, 8), ReLU(), Linear(1)') })
    expect(() => resolveModel(arch, 2, 1)).toThrow(/Layer 0 is Linear\(4, …\) but receives 2 feature\(s\)/)
    expect(() => resolveModel(modelArchSchema.parse({ kind: 'sequential', layers: parseLayers('Linear(8), ReLU(), Linear(2)') }), 2, 1)).toThrow(/ends with 2 output\(s\)/)
  })
})

describe('lab train flags from the catalogues', () => {
  it('--optimizer adagrad takes its own arguments, with torch defaults for the rest', () => {
    expect(request(['--optimizer', 'adagrad', '--lr-decay', '0.01', '--initial-accumulator-value', '0.1']).train.optimizer).toEqual({
      name: 'Adagrad',
      lr: 0.01,
      lrDecay: 0.01,
      weightDecay: 0,
      initialAccumulatorValue: 0.1,
      eps: 1e-10,
    })
    expect(request(['--optimizer', 'adam', '--betas', '0.8,0.99']).train.optimizer).toMatchObject({ name: 'Adam', lr: 0.001, betas: [0.8, 0.99] })
  })

  it("refuses an argument the chosen optimizer or loss does not take, listing the ones it does", () => {
    expect(() => request(['--optimizer', 'adam', '--momentum', '0.9'])).toThrow(/Adam has no --momentum; it takes --lr, --betas, --eps, --weight-decay/)
    expect(() => request(['--loss', 'mse', '--delta', '2'])).toThrow(/MSELoss has no --delta/)
    expect(request(['--loss', 'smoothl1', '--beta', '0.5']).train).toMatchObject({ loss: 'SmoothL1Loss', smoothL1Beta: 0.5 })
  })

  it('keeps --model mlp --hidden as a shorthand for Linear and activation pairs', () => {
    expect(request(['--model', 'mlp', '--hidden', '8,4', '--activation', 'tanh']).model).toEqual({
      kind: 'sequential',
      layers: [{ kind: 'Linear', outFeatures: 8 }, { kind: 'Tanh' }, { kind: 'Linear', outFeatures: 4 }, { kind: 'Tanh' }, { kind: 'Linear' }],
    })
    expect(() => request(['--model', 'mlp', '--layers', 'Linear(1)'])).toThrow(/leave out --model/)
  })
})
