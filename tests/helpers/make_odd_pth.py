"""Writes .pth files that are odd but legal for torch 1.13 (or that torch refuses), built by hand
with the assembler, and says what real torch.load does with each.

argv[1]: output folder. Prints {name: {"path", "torch": {"weights_only": outcome, "full": outcome}}}
where an outcome is {"tensors": {key: [values as floats]}, "keys": [repr of top-level keys], "texts": [the top-level
keys that are str, as they are], "floats":
[repr of top-level float values]} or
{"error": text}. The files name only torch's own functions and collections.OrderedDict, so loading
them with weights_only=False runs nothing but torch's rebuilds.
"""
import io
import json
import os
import struct
import sys
import zipfile

import torch

from pth_asm import *  # noqa: F401,F403

out = sys.argv[1]
made = {}

W, B = ustr("linear.weight"), ustr("linear.bias")
FLOAT = glob("torch", "FloatStorage")


def storage(key="0", numel=1, stype=FLOAT, key_bytes=None):
    return tup(ustr("storage"), stype, key_bytes or ustr(key), ustr("cpu"), integer(numel)) + P.BINPERSID


def v2(*args):
    return call(glob("torch._utils", "_rebuild_tensor_v2"), *args)


def weight(rg=P.NEWFALSE, stype=FLOAT):
    """linear.weight [1, 1] from storage 0, with the requires_grad given"""
    return v2(storage("0", 1, stype), integer(0), tup(integer(1), integer(1)), tup(integer(1), integer(1)), rg, ordered())


def bias():
    return tensor("1", [1])


def linear(w=None, b=None):
    return ordered((W, w or weight()), (B, b or bias()))


def zip_with(version, extra=()):
    return raw_zip([stored("archive/data.pkl", pickle_of(linear())), stored("archive/data/0", LINEAR_DATA["0"]),
                    stored("archive/data/1", LINEAR_DATA["1"])] + ([stored("archive/version", version)] if version is not None else []) + list(extra))


def flagged(data, flag):
    """the general-purpose flag of every local and central header set to `flag`"""
    z = bytearray(data)
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = z.find(sig)
        while i >= 0:
            z[i + at:i + at + 2] = struct.pack("<H", flag)
            i = z.find(sig, i + 4)
    return bytes(z)


def zipped(name, data):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(name, data)
    return b.getvalue()


def sparse():
    """a 1x1 sparse COO tensor: indices [[0], [0]] (int64, storage 2) and the bias's value"""
    indices = v2(storage("2", 2, glob("torch", "LongStorage")), integer(0), tup(integer(2), integer(1)), tup(integer(1), integer(1)), P.NEWFALSE, ordered())
    return call(glob("torch._utils", "_rebuild_sparse_tensor"), glob("torch", "sparse_coo"), tup(indices, bias(), tup(integer(1), integer(1))))


files = {
    # read by torch 1.13, weights_only=True included
    "parameter_newobj": pth_zip(pickle_of(linear(glob("torch.nn.parameter", "Parameter") + tup(weight(), P.NEWTRUE) + P.NEWOBJ))),
    "parameter_reduce": pth_zip(pickle_of(linear(call(glob("torch.nn.parameter", "Parameter"), weight())))),
    "rebuild_tensor_v1": pth_zip(pickle_of(linear(call(glob("torch._utils", "_rebuild_tensor"), storage(), integer(0), tup(integer(1), integer(1)), tup(integer(1), integer(1)))))),
    "storage_key_int": pth_zip(pickle_of(linear(v2(storage(key_bytes=integer(0)), integer(0), tup(integer(1), integer(1)), tup(integer(1), integer(1)), P.NEWFALSE, ordered())))),
    "bool_byte_2": pth_zip(pickle_of(linear(weight(stype=glob("torch", "BoolStorage")))), {"0": b"\x02", "1": LINEAR_DATA["1"]}),
    "version_spaced": zip_with(b" 3x\n"),
    # CPython's load_stop and torch's weights_only unpickler give the top of the stack, whatever lies beneath it
    "value_below_result": pth_zip(pickle_of(integer(7) + linear())),
    "mark_open_at_stop": pth_zip(pickle_of(P.MARK + linear())),
    # torch 1.13 knows no byteorder record, and the legacy format's little_endian flag changes nothing: both read little-endian
    "byteorder_words": pth_zip(pickle_of(linear()), extra=[stored("archive/byteorder", b"middle")]),
    "legacy_big_flag": legacy(linear_state_dict, sys_info=dct((ustr("protocol_version"), integer(1001)), (ustr("little_endian"), P.NEWFALSE),
                                                                (ustr("type_sizes"), dct((ustr("int"), integer(4)), (ustr("long"), integer(4)))))),
    # newer torch byte-swaps a byteorder=big file's numbers; torch 1.13 reads them as they lie, into other values
    "byteorder_big": pth_zip(pickle_of(linear()), {k: v[::-1] for k, v in LINEAR_DATA.items()}, extra=[stored("archive/byteorder", b"big")]),
    # read by torch with weights_only=False: protocol 0's text floats, Python's own dict keys
    "text_floats": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), *[(ustr(k), P.FLOAT + v + b"\n") for k, v in
                                       (("nan", b"nan"), ("inf", b"-inf"), ("big", b"1e300"), ("e", b"2.5E-3"))]))),
    "bytes_key": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), (P.SHORT_BINBYTES + b"\x02ab", integer(1))), 3)),
    "one_and_true": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), (integer(1), ustr("a")), (P.NEWTRUE, ustr("b"))))),
    "tuple_and_its_repr": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), (tup(integer(1)), ustr("a")), (ustr('(1,)'), ustr("b"))))),
    # protocol 0 and Python 2 texts: torch.load reads STRING's escapes, UNICODE's raw-unicode-escape and a str's bytes as UTF-8
    "text_keys_protocol0": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), (P.SHORT_BINSTRING + bytes([len("époque".encode())]) + "époque".encode(), integer(1)),
                                                (P.STRING + b"'\\x41b\\101\\q'\n", integer(2)), (P.UNICODE + b"caf\\u00e9 \xe9\n", integer(3)), (P.UNICODE + b"\\U0001F600\\\\u0041\n", integer(4))))),
    # read by torch by C's strtol: 010 is octal
    "int_octal": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), (ustr("epoch"), P.INT + b"010\n")))),
    # refused by torch
    "binstring_not_utf8": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), (ustr("note"), P.SHORT_BINSTRING + b"\x03a\x80b")))),
    "build_on_dict": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), (ustr("x"), P.EMPTY_DICT + dct((ustr("a"), integer(1))) + P.BUILD)))),
    "build_slots_none": pth_zip(pickle_of(linear() + tup(P.NONE, P.NONE) + P.BUILD)),
    "legacy_magic_float": legacy(linear_state_dict, magic=P.BINFLOAT + struct.pack(">d", float(0x1950A86A20F9469CFC6C))),
    "string_unquoted": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), (ustr("note"), P.STRING + b"abc\n")))),
    "requires_grad_tensor": pth_zip(pickle_of(linear(weight(rg=bias())))),
    "requires_grad_int": pth_zip(pickle_of(linear(weight(rg=integer(1))))),
    "requires_grad_on_long": pth_zip(pickle_of(linear(weight(rg=P.NEWTRUE, stype=glob("torch", "LongStorage")))), {"0": struct.pack("<q", 3), "1": LINEAR_DATA["1"]}),
    "v2_seven_args": pth_zip(pickle_of(linear(v2(storage(), integer(0), tup(integer(1), integer(1)), tup(integer(1), integer(1)), P.NEWFALSE, ordered(), dct())))),
    "v2_five_args": pth_zip(pickle_of(linear(v2(storage(), integer(0), tup(integer(1), integer(1)), tup(integer(1), integer(1)), P.NEWFALSE)))),
    "parameter_of_int": pth_zip(pickle_of(linear(call(glob("torch._utils", "_rebuild_parameter"), integer(7), P.NEWTRUE, ordered())))),
    "no_version": zip_with(None),
    "version_99": zip_with(b"99\n"),
    "version_words": zip_with(b"three\n"),
    "encrypted": flagged(zip_with(b"3\n"), 1),
    "text_float_hex": pth_zip(pickle_of(dct((ustr("model_state_dict"), linear()), (ustr("loss"), P.FLOAT + b"0x10\n")))),
    "readonly_buffer_on_int": pth_zip(P.PROTO + b"\x05" + dct((ustr("model_state_dict"), linear()), (ustr("n"), integer(3) + P.READONLY_BUFFER)) + P.STOP),
    # torch's own tensors TorchLab has no values or arithmetic for
    "meta_tensor": pth_zip(pickle_of(linear(call(glob("torch._utils", "_rebuild_meta_tensor_no_storage"), glob("torch", "float32"), tup(integer(1), integer(1)), tup(integer(1), integer(1)), P.NEWFALSE)))),
    "float_tensor_call": pth_zip(pickle_of(linear(b=call(glob("torch", "FloatTensor"), tup(integer(3)))))),
    "sparse_tensor": pth_zip(pickle_of(linear(sparse())), {**LINEAR_DATA, "2": struct.pack("<qq", 0, 0)}),
    # files torch and TorchLab both refuse, where the sentence can say more than torch's
    "pth_in_zip": zipped("homework/model.pth", pth_zip(pickle_of(linear()))),
    "data_parallel": pth_zip(pickle_of(ordered((ustr("module.0.weight"), weight()), (ustr("module.0.bias"), bias())))),
}
def values(t):
    if t.layout != torch.strided or t.device.type == "meta":
        return str(t.layout if t.layout != torch.strided else t.device)
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def outcome(path, weights_only):
    try:
        v = torch.load(path, weights_only=weights_only)
    except Exception as e:  # noqa: BLE001 (every refusal is an outcome)
        return {"error": f"{type(e).__name__}: {e}"[:300]}
    state = v.get("model_state_dict", v) if isinstance(v, dict) else v
    return {"tensors": {str(k): values(t) for k, t in state.items() if isinstance(t, torch.Tensor)},
            "keys": [repr(k) for k in v.keys()] if isinstance(v, dict) else [],
            "texts": [k for k in v.keys() if isinstance(k, str)] if isinstance(v, dict) else [],
            "floats": [repr(x) for x in v.values() if isinstance(x, float)] if isinstance(v, dict) else []}


for name, data in files.items():
    path = os.path.join(out, name + ".pth")
    with open(path, "wb") as f:
        f.write(data)
    made[name] = {"path": path, "torch": {"weights_only": outcome(path, True), "full": outcome(path, False)}}

print(json.dumps(made))
