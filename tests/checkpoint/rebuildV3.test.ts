/**
 * torch._utils._rebuild_tensor_v3(storage, offset, size, stride, requires_grad, hooks, dtype),
 * which newer torch writes (torch 1.13 has no v3): torch sets a tensor of `dtype` on the
 * storage's untyped bytes, so offset, size and stride count elements of `dtype`, whatever type
 * the storage was pickled as. TorchLab read the storage as its own type and ignored `dtype`: an
 * UntypedStorage's float32 weights came out as bytes. Files built opcode by opcode; the expected
 * values are the same bytes unpacked by Python's struct.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-v3-')
const files = { untyped: join(dir, 'untyped.pth'), float64: join(dir, 'float64.pth'), legacy: join(dir, 'legacy.pth') }

const BUILD = `
import pickle as P, struct, zipfile, zlib
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
# an UntypedStorage of 16 bytes, read as float32: the weight is elements 0 and 2 (stride 2), the bias element 1
untyped = glob("torch", "UntypedStorage")
write_zip(INPUT["untyped"], pickle_of(ordered(
    (ustr("linear.weight"), v3(untyped, 16, 0, [1, 2], [1, 2], "float32")),
    (ustr("linear.bias"), v3(untyped, 16, 1, [1], [1], "float32")))), raw)
# a FloatStorage of 4 elements read as float64: two doubles
write_zip(INPUT["float64"], pickle_of(ordered((ustr("w"), v3(glob("torch", "FloatStorage"), 4, 0, [2], [1], "float64")))), raw)
# the legacy format: magic, protocol, sys_info, the object, its storage keys, then each storage's count and bytes
obj = ordered((ustr("w"), v3(glob("torch", "FloatStorage"), 4, 1, [1], [1], "float64", legacy=True)))
info = P.EMPTY_DICT + P.MARK + ustr("protocol_version") + integer(1001) + ustr("little_endian") + P.NEWTRUE + P.SETITEMS
magic = P.LONG1 + bytes([10]) + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")
keys = P.EMPTY_LIST + P.MARK + ustr("0") + P.APPENDS
with open(INPUT["legacy"], "wb") as f:
    f.write(pickle_of(magic) + pickle_of(P.BININT2 + struct.pack("<H", 1001)) + pickle_of(info) + pickle_of(obj) + pickle_of(keys) + struct.pack("<q", 4) + raw)
print(json.dumps({"untyped": [[struct.unpack("<f", raw[0:4])[0], struct.unpack("<f", raw[8:12])[0]], [struct.unpack("<f", raw[4:8])[0]]],
                  "float64": list(struct.unpack("<2d", raw)), "legacy": list(struct.unpack("<d", raw[8:16]))}))
`

describe('tensors rebuilt by _rebuild_tensor_v3', () => {
  let expected: { untyped: number[][]; float64: number[]; legacy: number[] }
  beforeAll(async () => {
    expected = await python(BUILD, files)
  })

  it("read an UntypedStorage's bytes as the dtype named, offset and strides counted in its elements", async () => {
    const info = await service.openCheckpoint(files.untyped, { values: true })
    expect(info.tensors.map((t) => [t.key, t.dtype, t.shape])).toEqual([
      ['linear.weight', 'float32', [1, 2]],
      ['linear.bias', 'float32', [1]],
    ])
    expect(info.tensors.map((t) => t.values)).toEqual(expected.untyped)
  })

  it('read a typed storage as the dtype named, not as its own type', async () => {
    const info = await service.openCheckpoint(files.float64, { values: true })
    expect(info.tensors[0]).toMatchObject({ dtype: 'float64', shape: [2], values: expected.float64 })
    expect((await service.openCheckpoint(files.legacy, { values: true })).tensors[0]).toMatchObject({ dtype: 'float64', shape: [1], values: expected.legacy })
  })
})
