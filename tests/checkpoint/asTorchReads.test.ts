/**
 * Files that are odd but legal for torch 1.13, or that torch refuses, built by hand
 * (tests/helpers/make_odd_pth.py) and loaded by real torch.load in the same script. Where torch
 * reads a file, TorchLab gives the same tensors and keys; where torch refuses it, TorchLab
 * refuses it with a sentence naming why; torch's own tensors TorchLab holds no values for (meta,
 * sparse, built by torch.FloatTensor) are refused as unsupported, by name, not as code.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CheckpointInfo } from '../../src/shared/api'
import { LabError, type LabErrorInfo } from '../../src/shared/errors'
import { createService, tempDir } from '../helpers/lab'
import { PYTHON } from '../helpers/python'

type TorchOutcome = { tensors: Record<string, number[] | string>; keys: string[]; texts: string[]; floats: string[] } | { error: string }
interface Made {
  path: string
  torch: { weights_only: TorchOutcome; full: TorchOutcome }
}

const dir = tempDir('torchlab-odd-')
const made: Record<string, Made> = JSON.parse(execFileSync(PYTHON, [join(import.meta.dirname, '../helpers/make_odd_pth.py'), dir], { encoding: 'utf8' }))
const service = createService()
afterAll(() => service.dispose())

async function open(name: string): Promise<CheckpointInfo | LabErrorInfo> {
  try {
    return await service.openCheckpoint(made[name].path, { values: true })
  } catch (err) {
    if (err instanceof LabError) return err.info
    throw err
  }
}

function read(outcome: TorchOutcome): Exclude<TorchOutcome, { error: string }> {
  if ('error' in outcome) throw new Error(`torch refused the file: ${outcome.error}`)
  return outcome
}

async function refusal(name: string): Promise<LabErrorInfo> {
  const info = await open(name)
  if (!('code' in info && 'message' in info)) throw new Error(`${name} was read`)
  return info
}

/** torch's repr of a top-level key as TorchLab names it: a str without its quotes */
const shownKey = (repr: string) => (/^'.*'$/.test(repr) ? repr.slice(1, -1) : repr)

describe('a file torch reads', () => {
  it.each([
    ['parameter_newobj', 'a Parameter created by NEWOBJ, as torch.load(weights_only=True) creates it'],
    ['parameter_reduce', 'a Parameter called by REDUCE'],
    ['rebuild_tensor_v1', 'a tensor rebuilt by _rebuild_tensor, which weights_only=True allows'],
    ['storage_key_int', 'a storage whose key is pickled as an int'],
    ['bool_byte_2', 'a bool weight stored as the byte 2, which torch reads as True'],
    ['version_spaced', 'a version record of " 3x", which torch reads as 3'],
    ['value_below_result', 'a value left beneath the result at STOP, which torch does not look at'],
    ['mark_open_at_stop', 'a mark left open at STOP'],
    ['byteorder_words', 'a byteorder record that says "middle", which torch 1.13 reads past'],
    ['legacy_big_flag', "a legacy file whose sys_info says little_endian=False, which torch 1.13 reads as little-endian all the same"],
  ])('%s (%s) gives torch.load(weights_only=True)’s tensors', async (name) => {
    const expected = read(made[name].torch.weights_only).tensors
    const info = (await open(name)) as CheckpointInfo
    expect(info.tensors, JSON.stringify(info)).toBeDefined()
    expect(Object.fromEntries(info.tensors.map((t) => [t.key, t.values]))).toEqual(expected)
    expect(info.model).toEqual({ kind: 'linear', inFeatures: 1, outFeatures: 1 })
  })

  it.each([
    ['bytes_key', 'a bytes key, hashable in Python'],
    ['one_and_true', '1 and True, one key in Python (the first kept, the last value)'],
    ['tuple_and_its_repr', "the tuple (1,) and the string '(1,)', two keys in Python"],
    ['text_floats', 'floats as protocol 0 writes them: nan, -inf, 1e300, 2.5E-3'],
  ])('%s (%s) has the keys torch.load gives', async (name) => {
    const expected = read(made[name].torch.full)
    const info = (await open(name)) as CheckpointInfo
    expect(info.tree, JSON.stringify(info)).toBeDefined()
    expect(info.tree.filter((n) => n.depth === 1).map((n) => n.name)).toEqual(expected.keys.map(shownKey))
    expect(Object.fromEntries(info.tensors.map((t) => [t.key, t.values]))).toEqual(expected.tensors)
    if (name === 'one_and_true') expect(info.tree.find((n) => n.path === '1')?.summary).toBe("'b'")
    if (name === 'text_floats') expect(['nan', 'inf', 'big', 'e'].map((k) => info.tree.find((n) => n.path === k)?.summary)).toEqual(expected.floats)
  })
})

describe('texts as protocol 0 and Python 2 write them', () => {
  it('are read as torch.load reads them: a str’s bytes as UTF-8, STRING’s escapes, UNICODE’s Latin-1 bytes and \\u escapes', async () => {
    const expected = read(made.text_keys_protocol0.torch.full)
    expect(expected.texts).toEqual(['model_state_dict', 'époque', 'AbA\\q', 'café é', '😀\\\\u0041'])
    const info = (await open('text_keys_protocol0')) as CheckpointInfo
    expect(info.tree, JSON.stringify(info)).toBeDefined()
    expect(info.tree.filter((n) => n.depth === 1).map((n) => n.name)).toEqual(expected.texts)
  })

  it('an integer torch reads by C’s rules (INT 010 is octal 8) is refused in a sentence, not read as 10', async () => {
    expect(read(made.int_octal.torch.full).keys).toEqual(["'model_state_dict'", "'epoch'"])
    const error = await refusal('int_octal')
    expect(error).toMatchObject({ code: 'CHECKPOINT_INVALID', message: expect.stringMatching(/writes an integer as "010", not as the plain decimal pickle writes/) })
  })
})

describe('a file torch refuses', () => {
  it.each([
    ['requires_grad_tensor', /requires_grad a value that is not True or False/],
    ['requires_grad_int', /requires_grad a value that is not True or False/],
    ['requires_grad_on_long', /int64 tensor .* asks for gradients/],
    ['v2_five_args', /_rebuild_tensor_v2 with 5 arguments; torch's takes 6,/],
    ['v2_seven_args', /_rebuild_tensor_v2 with a seventh argument, the tensor metadata a newer PyTorch adds; torch 1.13's takes six/],
    ['parameter_of_int', /parameter .* is made from a value that is not a tensor/],
    ['no_version', /has no archive\/version record/],
    ['version_99', /version record says "99"; torch reads versions 1 to 10/],
    ['version_words', /version record says "three"/],
    ['encrypted', /encrypted/],
    ['readonly_buffer_on_int', /READONLY_BUFFER on a value that is not bytes/],
    ['text_float_hex', /holds a malformed number/],
    ['binstring_not_utf8', /A text inside the file is not valid UTF-8/],
    ['string_unquoted', /holds a text that is not quoted/],
    ['build_on_dict', /BUILD gives a dict attributes, which it cannot hold in Python/],
    ['build_slots_none', /BUILD gives an OrderedDict a slot state that is not a dictionary/],
    ['legacy_magic_float', /its first value is not torch's magic number/],
  ])('%s is refused in a sentence naming why', async (name, why) => {
    expect('error' in made[name].torch.full, `torch read ${name}`).toBe(true)
    const error = await refusal(name)
    expect(error.code).toMatch(/^CHECKPOINT_(INVALID|UNSUPPORTED)$/)
    expect(error.message).toMatch(why)
  })
})

describe('a file torch 1.13 reads into other values than a newer torch does', () => {
  it('byteorder=big: torch 1.13 reads the numbers byte-swapped, so TorchLab refuses the file in a sentence naming the record', async () => {
    // the weights are 0.5 and -0.25 written big-endian: torch 1.13 reads other numbers from those bytes
    expect(Object.values(read(made.byteorder_big.torch.weights_only).tensors).flat()).not.toEqual([0.5, -0.25])
    const error = await refusal('byteorder_big')
    expect(error.code).toBe('CHECKPOINT_UNSUPPORTED')
    expect(error.message).toMatch(/archive\/byteorder record says its numbers are big-endian .* torch 1\.13 ignores that record and reads the numbers byte-swapped/)
  })
})

describe("torch's own tensors TorchLab holds no values for", () => {
  it.each([
    ['meta_tensor', 'torch._utils._rebuild_meta_tensor_no_storage', /meta device, which has a shape but no values/],
    ['sparse_tensor', 'torch._utils._rebuild_sparse_tensor', /a sparse tensor; TorchLab reads dense tensors only/],
    ['float_tensor_call', 'torch.FloatTensor', /as PyTorch before 0.4 did/],
  ])('%s is refused as unsupported, naming %s, never as code', async (name, fn, why) => {
    expect('error' in made[name].torch.full, `torch refused ${name}`).toBe(false)
    const error = await refusal(name)
    expect(error.code).toBe('CHECKPOINT_UNSUPPORTED')
    expect(error.message).toContain(fn)
    expect(error.message).toMatch(why)
  })
})

describe('a file both refuse, where TorchLab can say more', () => {
  it('a .pth packed in a zip names the file to unzip', async () => {
    expect('error' in made.pth_in_zip.torch.full).toBe(true)
    expect((await refusal('pth_in_zip')).message).toBe('This is a zip archive that holds homework/model.pth, not a .pth file itself: unzip it and open homework/model.pth.')
  })

  it('a state_dict saved from nn.DataParallel names the prefix and how torch removes it', async () => {
    const info = (await open('data_parallel')) as CheckpointInfo
    expect(info.tensors.map((t) => t.key)).toEqual(Object.keys(read(made.data_parallel.torch.weights_only).tensors))
    expect(info.model).toBeNull()
    expect(info.modelNote).toContain(`They all start with "module.", which nn.DataParallel (or DistributedDataParallel) adds`)
    expect(info.modelNote).toContain("consume_prefix_in_state_dict_if_present(state_dict, 'module.')")
  })
})
