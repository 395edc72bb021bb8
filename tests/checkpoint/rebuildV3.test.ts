/**
 * torch._utils._rebuild_tensor_v3(storage, offset, size, stride, requires_grad, hooks, dtype), which
 * a newer PyTorch writes for dtypes torch 1.13 lacks (uint16, float8, …). torch 1.13 has no v3, so
 * its torch.load refuses such a file; TorchLab reads files as torch 1.13 does and refuses it too,
 * by name, rather than reading bytes torch 1.13 would never give. Files built opcode by opcode,
 * each also handed to the real torch.load.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-v3-')
const files = { untyped: join(dir, 'untyped.pth'), float32: join(dir, 'float32.pth'), legacy: join(dir, 'legacy.pth') }

const BUILD = `
import pickle as P, struct, zipfile, torch, torch._utils
def ustr(s):
    b = s.encode(); return P.BINUNICODE + struct.pack("<I", len(b)) + b
def integer(n):
    return P.BININT1 + bytes([n]) if 0 <= n < 256 else P.BININT + struct.pack("<i", n)
def glob(m, n): return P.GLOBAL + f"{m}\\n{n}\\n".encode()
def tup(*items): return P.MARK + b"".join(items) + P.TUPLE
def call(fn, *args): return fn + tup(*args) + P.REDUCE
def ordered(*pairs): return call(glob("collections", "OrderedDict")) + (P.MARK + b"".join(k + v for k, v in pairs) + P.SETITEMS if pairs else b"")
def v3(storage_type, numel, offset, shape, stride, dtype, legacy=False):
    pid = tup(ustr("storage"), storage_type, ustr("0"), ustr("cpu"), integer(numel), *([P.NONE] if legacy else [])) + P.BINPERSID
    return call(glob("torch._utils", "_rebuild_tensor_v3"), pid, integer(offset), tup(*map(integer, shape)), tup(*map(integer, stride)), P.NEWFALSE, ordered(), glob("torch", dtype))
def pickle_of(v): return P.PROTO + b"\\x02" + v + P.STOP
def write_zip(path, pkl, data):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pkl); z.writestr("archive/data/0", data); z.writestr("archive/version", "3\\n")

raw = struct.pack("<4f", 0.5, -0.25, 3.0, 1.5)
write_zip(INPUT["untyped"], pickle_of(ordered((ustr("linear.weight"), v3(glob("torch", "UntypedStorage"), 16, 0, [1, 2], [1, 2], "float32")))), raw)
write_zip(INPUT["float32"], pickle_of(ordered((ustr("w"), v3(glob("torch", "FloatStorage"), 4, 0, [4], [1], "float32")))), raw)
obj = ordered((ustr("w"), v3(glob("torch", "FloatStorage"), 4, 1, [1], [1], "float32", legacy=True)))
info = P.EMPTY_DICT + P.MARK + ustr("protocol_version") + integer(1001) + ustr("little_endian") + P.NEWTRUE + P.SETITEMS
magic = P.LONG1 + bytes([10]) + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")
keys = P.EMPTY_LIST + P.MARK + ustr("0") + P.APPENDS
with open(INPUT["legacy"], "wb") as f:
    f.write(pickle_of(magic) + pickle_of(P.BININT2 + struct.pack("<H", 1001)) + pickle_of(info) + pickle_of(obj) + pickle_of(keys) + struct.pack("<q", 4) + raw)
refused = {}
for name in ["untyped", "float32", "legacy"]:
    for weights_only in [False, True]:
        try:
            torch.load(INPUT[name], weights_only=weights_only); refused[f"{name} {weights_only}"] = None
        except Exception as e:
            refused[f"{name} {weights_only}"] = type(e).__name__
print(json.dumps({"version": torch.__version__, "has_v3": hasattr(torch._utils, "_rebuild_tensor_v3"), "refused": refused}))
`

describe('tensors rebuilt by _rebuild_tensor_v3, which torch 1.13 does not have', () => {
  let torch: { version: string; has_v3: boolean; refused: Record<string, string | null> }
  beforeAll(async () => {
    torch = await python(BUILD, files)
  })

  it('are refused by the real torch.load, with or without weights_only', () => {
    expect(torch.version).toMatch(/^1\.13/)
    expect(torch.has_v3).toBe(false)
    for (const [load, error] of Object.entries(torch.refused)) expect(error, load).not.toBeNull()
  })

  it.each(Object.keys(files) as (keyof typeof files)[])('are refused by TorchLab with a sentence naming the rebuild and what to save instead (%s)', async (name) => {
    const refusal = service.openCheckpoint(files[name], { values: true })
    await expect(refusal).rejects.toMatchObject({ info: { code: 'CHECKPOINT_UNSUPPORTED', key: 'torch._utils._rebuild_tensor_v3' } })
    await expect(refusal).rejects.toThrow(/_rebuild_tensor_v3.*torch 1\.13.*tensor\.float\(\)/s)
  })
})
