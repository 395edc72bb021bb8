/**
 * Every optimizer and loss argument TorchLab accepts has a `lab train` flag named as torch
 * names it, and a flag the chosen optimizer or loss does not take is refused, as torch's
 * constructor refuses the keyword.
 */
import { describe, expect, it } from 'vitest'
import { parseTrainArgv, trainRequestFromArgs } from '../../src/main/cli/trainArgs'
import type { ArgSpec } from '../../src/shared/catalog/args'
import { LOSS_TABLE, LOSSES } from '../../src/shared/catalog/losses'
import { OPTIMIZER_TABLE, OPTIMIZERS, optimizerSpecSchema } from '../../src/shared/catalog/optimizers'

const request = (argv: string[]) => trainRequestFromArgs(parseTrainArgv(argv))

describe('lab train flags', () => {
  it('names every optimizer and loss argument as torch does', () => {
    const args: readonly ArgSpec[] = [...OPTIMIZERS.flatMap((o): readonly ArgSpec[] => OPTIMIZER_TABLE[o].args), ...LOSSES.flatMap((l): readonly ArgSpec[] => LOSS_TABLE[l].args)]
    const flags = args.map((a) => a.torch.replace(/_/g, '-'))
    for (const flag of ['dampening', 'nesterov', 'betas', 'eps', 'alpha', 'centered', 'amsgrad', 'delta', 'beta', 'lr-decay', 'initial-accumulator-value']) expect(flags).toContain(flag)
  })

  it('--optimizer adamw --amsgrad --betas 0.8,0.99 --eps 1e-6 reaches the request', () => {
    const { train } = request(['--optimizer', 'adamw', '--amsgrad', '--betas', '0.8,0.99', '--eps', '1e-6', '--lr', '0.01'])
    expect(optimizerSpecSchema.parse(train.optimizer)).toEqual({ name: 'AdamW', lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.01, amsgrad: true })
  })

  it('--optimizer sgd --momentum 0.9 --dampening 0.1 --nesterov is refused by the schema as torch refuses it', () => {
    const { train } = request(['--optimizer', 'sgd', '--lr', '0.1', '--momentum', '0.9', '--dampening', '0.1', '--nesterov'])
    expect(optimizerSpecSchema.safeParse(train.optimizer).error?.issues[0].message).toBe('Nesterov momentum requires a momentum above 0 and zero dampening.')
  })

  it('--optimizer adam --momentum 0.9 is refused, naming the flag', () => {
    expect(() => request(['--optimizer', 'adam', '--momentum', '0.9'])).toThrow('Adam has no --momentum; it takes --lr, --betas, --eps, --weight-decay, --amsgrad.')
  })

  it('--huber-delta is --delta', () => {
    expect(request(['--loss', 'huber', '--huber-delta', '2']).train).toMatchObject({ loss: 'HuberLoss', huberDelta: 2 })
    expect(request(['--loss', 'huber', '--delta', '3']).train).toMatchObject({ loss: 'HuberLoss', huberDelta: 3 })
    expect(() => request(['--loss', 'huber', '--delta', '3', '--huber-delta', '2'])).toThrow('--huber-delta and --delta are the same setting; give only one.')
  })
})
