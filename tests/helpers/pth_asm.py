"""A pickle and zip assembler for hand-built .pth files: every helper returns the bytes of one
value or one file, opcode by opcode and record by record, so a test can build what torch.save
never writes (duplicates, lies about sizes, odd but legal opcodes)."""
import pickle as P
import struct
import zlib


# --- a pickle assembler: every helper returns the bytes that push one value ---------------

def ustr(s):
    b = s.encode()
    return P.BINUNICODE + struct.pack("<I", len(b)) + b


def short_ustr(s):
    b = s.encode()
    return P.SHORT_BINUNICODE + bytes([len(b)]) + b


def integer(n):
    if 0 <= n < 256:
        return P.BININT1 + bytes([n])
    if -(2 ** 31) <= n < 2 ** 31:
        return P.BININT + struct.pack("<i", n)
    raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
    return P.LONG1 + bytes([len(raw)]) + raw


def glob(module, name):
    return P.GLOBAL + f"{module}\n{name}\n".encode()


def stack_glob(module, name):
    return short_ustr(module) + short_ustr(name) + P.STACK_GLOBAL


def tup(*items):
    return P.MARK + b"".join(items) + P.TUPLE


def lst(*items):
    return P.EMPTY_LIST + (P.MARK + b"".join(items) + P.APPENDS if items else b"")


def dct(*pairs):
    return P.EMPTY_DICT + (P.MARK + b"".join(k + v for k, v in pairs) + P.SETITEMS if pairs else b"")


def call(fn, *args):
    return fn + tup(*args) + P.REDUCE


def ordered(*pairs):
    return call(glob("collections", "OrderedDict")) + (P.MARK + b"".join(k + v for k, v in pairs) + P.SETITEMS if pairs else b"")


LEGACY_PIDS = [False]


def pid(storage_type, key, numel):
    """torch's persistent id of a storage; the legacy format adds view metadata (None)"""
    return tup(ustr("storage"), storage_type, ustr(key), ustr("cpu"), integer(numel), *([P.NONE] if LEGACY_PIDS[0] else [])) + P.BINPERSID


def tensor(key, shape, stride=None, offset=0, storage_type=None, numel=None, hooks=None):
    if stride is None:
        stride = [1] * len(shape)
        for i in range(len(shape) - 2, -1, -1):
            stride[i] = stride[i + 1] * shape[i + 1]
    n = 1
    for s in shape:
        n *= s
    storage = pid(storage_type or glob("torch", "FloatStorage"), key, numel if numel is not None else n)
    return call(glob("torch._utils", "_rebuild_tensor_v2"), storage, integer(offset), tup(*map(integer, shape)),
                tup(*map(integer, stride)), P.NEWFALSE, hooks if hooks is not None else call(glob("collections", "OrderedDict")))


def pickle_of(value, protocol=2):
    return P.PROTO + bytes([protocol]) + value + P.STOP


def linear_state_dict(extra=()):
    return ordered((ustr("linear.weight"), tensor("0", [1, 1])), (ustr("linear.bias"), tensor("1", [1])), *extra)


LINEAR_DATA = {"0": struct.pack("<f", 0.5), "1": struct.pack("<f", -0.25)}


# --- zip writing by hand: duplicates, lies about sizes, deflate ------------------------------

def raw_zip(records):
    """records: (name, stored bytes, method, crc, declared size). Central directory as torch's reader sees it."""
    body, central = bytearray(), bytearray()
    for name, data, method, crc, size in records:
        nb = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size, len(nb), 0) + nb + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, len(data), size, len(nb), 0, 0, 0, 0, 0, offset) + nb
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(records), len(records), len(central), len(body), 0)
    return bytes(body + central + end)


def stored(name, data):
    return (name, data, 0, zlib.crc32(data), len(data))


def deflated(name, data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = c.compress(data) + c.flush()
    return (name, packed, 8, zlib.crc32(data), len(data))


def pth_zip(pkl, storages=None, root="archive", extra=()):
    storages = LINEAR_DATA if storages is None else storages
    records = [stored(f"{root}/data.pkl", pkl)] + [stored(f"{root}/data/{k}", v) for k, v in storages.items()]
    return raw_zip(records + [stored(f"{root}/version", b"3\n")] + list(extra))


def legacy(build, storages=None, sys_info=None, magic=None):
    """torch's legacy format: magic, protocol version, sys_info, the object (built by `build`, with
    legacy persistent ids), its storage keys, then the data."""
    storages = LINEAR_DATA if storages is None else storages
    LEGACY_PIDS[0] = True
    obj = build()
    LEGACY_PIDS[0] = False
    info = sys_info or dct((ustr("protocol_version"), integer(1001)), (ustr("little_endian"), P.NEWTRUE),
                           (ustr("type_sizes"), dct((ustr("int"), integer(4)), (ustr("long"), integer(4)))))
    out = pickle_of(magic or integer(0x1950A86A20F9469CFC6C)) + pickle_of(integer(1001)) + pickle_of(info) + pickle_of(obj)
    out += pickle_of(lst(*[ustr(k) for k in storages]))
    for data in storages.values():
        out += struct.pack("<q", len(data) // 4) + data
    return out
