/** Files written by real PyTorch at test time: each read correctly or refused with a clear error. */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { interpret } from '../../src/main/lab/checkpoint/contents'
import { readPth } from '../../src/main/lab/checkpoint/readPth'
import { PyDict } from '../../src/main/lab/checkpoint/pickle/values'
import type { Tensor } from '../../src/main/lab/checkpoint/tensor'
import { LabError } from '../../src/shared/errors'
import { describeValue } from '../helpers/describe'
import { tempDir } from '../helpers/lab'
import { PYTHON } from '../helpers/python'

const dir = tempDir('torchlab-pth-')
const made: Record<string, { path: string; expect: unknown; refuse: string | null }> = JSON.parse(
  execFileSync(PYTHON, [join(import.meta.dirname, '../helpers/make_pth.py'), dir], { encoding: 'utf8' }),
)

function read(name: string) {
  return readPth(readFileSync(made[name].path))
}

describe('files real PyTorch writes', () => {
  for (const name of ['dtypes', 'batchnorm_state_dict', 'views', 'protocol4', 'protocol5', 'nested_checkpoint', 'legacy_views', 'deflated']) {
    it(`${name} reads as torch.load returns it`, () => {
      expect(describeValue(read(name).value)).toEqual(made[name].expect)
    })
  }

  it('keeps int64 exact, as BigInt', () => {
    const value = read('dtypes').value
    expect(value).toBeInstanceOf(PyDict)
    expect(((value as PyDict).entries.get('i64') as Tensor).data).toEqual(BigInt64Array.from([1n, -2n, 3n ** 30n]))
  })

  for (const name of ['full_model', 'full_sequential']) {
    it(`${name}: a pickled module is read structurally, its classes named, never run`, () => {
      const contents = interpret(read(name))
      expect(contents.kind).toBe('module')
      expect(contents.classNames[0]).toMatch(name === 'full_model' ? '__main__.LinearRegressionTorch' : 'torch.nn.modules.container.Sequential')
      const expected = made[name].expect as { keys: string[]; items: Record<string, { values: number[] }> }
      expect(contents.tensors.map((t) => t.name)).toEqual(expected.keys)
      contents.tensors.forEach((t) => expect(Array.from(t.tensor.data as Float32Array)).toEqual(expected.items[t.name].values))
    })
  }

  for (const name of ['eval_attack', 'storage_cut_short', 'storage_missing', 'no_pickle', 'torchscript', 'big_endian']) {
    it(`${name} is refused with a clear typed error`, () => {
      let error: unknown
      try {
        interpret(read(name))
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(LabError)
      expect((error as LabError).message).toContain(made[name].refuse)
      expect((error as LabError).info.code).toMatch(/^CHECKPOINT_/)
    })
  }

  it('ran nothing from the eval attack', () => {
    expect(existsSync('/tmp/torchlab-pwned')).toBe(false)
  })
})
