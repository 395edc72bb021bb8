/**
 * torch._utils' rebuild functions and torch.nn.Parameter, taking exactly the arguments torch's own
 * signatures take: a file that calls one with arguments torch would refuse is refused here too,
 * so whatever TorchLab reads is what torch.load gives. The rebuilds TorchLab has no tensors for
 * (sparse, meta, quantized, …) are torch's own and safe: they are refused as unsupported, by name.
 */
import { labError } from '../../../shared/errors'
import { badFile } from './errors'
import type { PyValue } from './pickle/values'
import type { GlobalContext } from './torchGlobals'
import { rebuildTensor, Tensor, type DType } from './tensor'

const FLOAT_DTYPES = new Set<DType>(['float64', 'float32', 'float16', 'bfloat16'])

function arity(qualified: string, args: PyValue[], counts: number[]): void {
  if (!counts.includes(args.length)) {
    throw badFile(`A tensor in the file calls ${qualified} with ${args.length} arguments; torch's takes ${counts.join(' or ')}, so torch.load refuses the file too.`, qualified)
  }
}

/** tensor.requires_grad = flag, as torch sets it: a bool, and True only on a floating-point tensor */
function withGradFlag(qualified: string, tensor: Tensor, flag: PyValue): Tensor {
  if (typeof flag !== 'boolean') throw badFile(`A tensor in the file (${qualified}) gives requires_grad a value that is not True or False; torch.load refuses the file too.`, qualified)
  if (flag && !FLOAT_DTYPES.has(tensor.dtype)) {
    throw badFile(`A ${tensor.dtype} tensor in the file (${qualified}) asks for gradients, which only floating-point tensors have; torch.load refuses the file too.`, qualified)
  }
  return tensor
}

/** _rebuild_tensor(storage, offset, size, stride): what the older rebuilds call, and torch 1.13's weights_only loader allows */
export function rebuildV1(qualified: string, a: PyValue[], ctx: GlobalContext): Tensor {
  arity(qualified, a, [4])
  return rebuildTensor(a[0], a[1], a[2], a[3], ctx.budget)
}

/**
 * _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks): torch 1.13's
 * takes six and refuses the seventh (metadata) that newer torch's takes, and so does TorchLab,
 * which reads a file as torch 1.13 does
 */
export function rebuildV2(qualified: string, a: PyValue[], ctx: GlobalContext): Tensor {
  if (a.length === 7) {
    throw labError(
      'CHECKPOINT_UNSUPPORTED',
      `A tensor in the file calls ${qualified} with a seventh argument, the tensor metadata a newer PyTorch adds; torch 1.13's takes six and refuses the file, and TorchLab reads files as torch 1.13 does. Ask for the file as torch 1.13 saves it.`,
      { key: qualified },
    )
  }
  arity(qualified, a, [6])
  return withGradFlag(qualified, rebuildTensor(a[0], a[1], a[2], a[3], ctx.budget), a[4])
}

function parameterData(qualified: string, data: PyValue): Tensor {
  if (data instanceof Tensor) return data
  throw badFile(`A parameter in the file (${qualified}) is made from a value that is not a tensor; torch.load refuses the file too.`, qualified)
}

/** _rebuild_parameter(data, requires_grad, backward_hooks) and _rebuild_parameter_with_state(…, state): a Parameter is its tensor */
export function rebuildParameter(qualified: string, a: PyValue[], withState: boolean): Tensor {
  arity(qualified, a, [withState ? 4 : 3])
  return withGradFlag(qualified, parameterData(qualified, a[0]), a[1])
}

/** torch.nn.Parameter(data=None, requires_grad=True), as torch's weights_only loader creates one by NEWOBJ or REDUCE */
export function newParameter(qualified: string, a: PyValue[]): Tensor {
  if (a.length > 2) arity(qualified, a, [0, 1, 2])
  // Parameter() holds torch.empty(0)
  const data = a[0] === undefined || a[0] === null ? new Tensor('float32', [0], new Float32Array(0)) : parameterData(qualified, a[0])
  return withGradFlag(qualified, data, a[1] ?? true)
}

/** torch's rebuilds of tensors TorchLab holds no values for, each with what to do instead */
const UNSUPPORTED_REBUILDS = new Map<string, string>([
  // torch 1.13 has no v3 and its torch.load refuses such a file: reading it would give what torch 1.13 never gives
  [
    '_rebuild_tensor_v3',
    'a tensor of a dtype torch 1.13 lacks (such as uint16 or float8), saved by a newer PyTorch: torch 1.13 has no _rebuild_tensor_v3 and its torch.load refuses the file, and TorchLab reads files as torch 1.13 does; in PyTorch, save tensor.float() instead',
  ],
  ['_rebuild_sparse_tensor', 'a sparse tensor; TorchLab reads dense tensors only (in PyTorch, save tensor.to_dense())'],
  ['_rebuild_sparse_csr_tensor', 'a sparse CSR tensor; TorchLab reads dense tensors only (in PyTorch, save tensor.to_dense())'],
  ['_rebuild_meta_tensor_no_storage', 'a tensor on the meta device, which has a shape but no values; save the model once its weights are on the CPU'],
  ['_rebuild_qtensor', 'a quantized tensor; TorchLab reads float, integer and bool tensors only (save the model before quantizing it)'],
  ['_rebuild_nested_tensor', 'a nested tensor; TorchLab reads plain tensors only'],
  ['_rebuild_wrapper_subclass', 'a tensor subclass; TorchLab reads plain tensors only'],
  ['_rebuild_device_tensor_from_numpy', 'a tensor of another device, rebuilt from numpy; save the model once its weights are on the CPU'],
  ['_rebuild_xla_tensor', 'an XLA tensor; save the model once its weights are on the CPU'],
  ['_rebuild_mlc_tensor', 'an ML Compute tensor; save the model once its weights are on the CPU'],
])

/** a callable's refusal when a file calls one of torch's rebuilds TorchLab does not read, or undefined */
export function unsupportedRebuild(module: string, name: string): ((args: PyValue[]) => never) | undefined {
  const what = module === 'torch._utils' ? UNSUPPORTED_REBUILDS.get(name) : undefined
  if (!what) return undefined
  return () => {
    throw labError('CHECKPOINT_UNSUPPORTED', `This file holds ${what} (built by ${module}.${name}).`, { key: `${module}.${name}` })
  }
}

/**
 * torch.Tensor and its typed classes (torch.FloatTensor, …), which torch's weights_only loader
 * lets a file call: PyTorch before 0.4 built tensors that way, torch.save has not since.
 */
export function isTensorClass(module: string, name: string): boolean {
  return module === 'torch' && /^(|Double|Float|Half|BFloat16|Long|Int|Short|Char|Byte|Bool)Tensor$/.test(name)
}

export function tensorClassCall(qualified: string): never {
  throw labError(
    'CHECKPOINT_UNSUPPORTED',
    `This file builds a tensor by calling ${qualified}, as PyTorch before 0.4 did; TorchLab reads tensors as torch.save has written them since (torch._utils._rebuild_tensor_v2): open the file in PyTorch and save it again.`,
    { key: qualified },
  )
}
