"""Writes a corpus of hostile and broken .pth files, built opcode by opcode and zip record by
zip record (not by torch.save), for the reader's safety tests.

argv[1]: output folder; argv[2]: canary folder. Every code-execution payload tries to create a
file named after itself in the canary folder (os.system('touch ...'), open(..., 'w'), a
logging.FileHandler, ...). Prints a JSON list of {name, path, group, expect, refuse}:
  expect "read"   - TorchLab reads it (it may hold hostile *names*, recorded, never run);
  expect "refuse" - a typed refusal whose message contains `refuse` (case-insensitive);
  expect "bomb"   - a read, or a refusal that names the budget or limit it would exceed;
  expect "broken" - a typed refusal of a damaged file (never a budget or time limit).
"""
import json
import os
import pickle as P
import struct
import sys
import zlib

from pth_asm import *  # noqa: F401,F403 (the assembler: ustr, glob, call, tensor, pth_zip, legacy, ...)

out, canaries = sys.argv[1], sys.argv[2]
manifest = []


def canary(name):
    return os.path.join(canaries, name)


def add(name, data, group, expect, refuse=None):
    path = os.path.join(out, name + ".pth")
    with open(path, "wb") as f:
        f.write(data)
    manifest.append({"name": name, "path": path, "group": group, "expect": expect, "refuse": refuse})


# --- payloads: each pushes one value that, unpickled by Python, creates its canary -----------

def payloads(tag):
    c = canary(tag)
    touch = f"touch {c}"
    write = f"open({c!r}, 'w').close()"
    nested = b"\x80\x02cposix\nsystem\nq\x00X" + struct.pack("<I", len(touch)) + touch.encode() + b"\x85R."
    return {
        # (value bytes, the name TorchLab must refuse)
        "os_system": (call(glob("os", "system"), ustr(touch)), "os.system"),
        "posix_system": (call(glob("posix", "system"), ustr(touch)), "posix.system"),
        "nt_system": (call(glob("nt", "system"), ustr(touch)), "nt.system"),
        "builtins_eval": (call(glob("builtins", "eval"), ustr(write)), "builtins.eval"),
        "builtins_exec": (call(glob("builtins", "exec"), ustr(write)), "builtins.exec"),
        "py2_builtin_eval": (call(glob("__builtin__", "eval"), ustr(write)), "builtins.eval"),
        "builtins_open": (call(glob("builtins", "open"), ustr(c), ustr("w")), "builtins.open"),
        "builtins_getattr_import": (call(call(glob("builtins", "getattr"), call(glob("builtins", "__import__"), ustr("os")), ustr("system")), ustr(touch)), "builtins.__import__"),
        "subprocess_call": (call(glob("subprocess", "call"), lst(ustr("touch"), ustr(c))), "subprocess.call"),
        "subprocess_popen": (call(glob("subprocess", "Popen"), lst(ustr("touch"), ustr(c))), "subprocess.Popen"),
        "subprocess_check_output": (call(glob("subprocess", "check_output"), lst(ustr("touch"), ustr(c))), "subprocess.check_output"),
        "importlib_import_module": (call(call(glob("builtins", "getattr"), call(glob("importlib", "import_module"), ustr("os")), ustr("system")), ustr(touch)), "importlib.import_module"),
        "runpy_run_code": (call(glob("runpy", "_run_code"), ustr(write), dct()), "runpy._run_code"),
        "pickle_loads": (call(glob("pickle", "loads"), P.SHORT_BINBYTES + bytes([len(nested)]) + nested), "pickle.loads"),
        "c_pickle_loads": (call(glob("_pickle", "loads"), P.SHORT_BINBYTES + bytes([len(nested)]) + nested), "_pickle.loads"),
        "torch_load_bytes": (call(glob("torch.storage", "_load_from_bytes"), P.SHORT_BINBYTES + bytes([len(nested)]) + nested), "torch.storage._load_from_bytes"),
        "functools_partial": (call(call(glob("functools", "partial"), glob("os", "system"), ustr(touch))), "functools.partial"),
        "logging_filehandler_reduce": (call(glob("logging", "FileHandler"), ustr(c)), "logging.FileHandler"),
        "stack_global_system": (call(stack_glob("os", "system"), ustr(touch)), "os.system"),
        "stack_global_eval": (call(stack_glob("builtins", "eval"), ustr(write)), "builtins.eval"),
        "stack_global_popen": (call(stack_glob("subprocess", "Popen"), lst(ustr("touch"), ustr(c))), "subprocess.Popen"),
        "inst_system": (P.MARK + ustr(touch) + P.INST + b"os\nsystem\n", "INST"),
        "obj_system": (P.MARK + glob("os", "system") + ustr(touch) + P.OBJ, "os.system"),
        "obj_filehandler": (P.MARK + glob("logging", "FileHandler") + ustr(c) + P.OBJ, "OBJ"),
        "newobj_popen": (glob("subprocess", "Popen") + tup(lst(ustr("touch"), ustr(c))) + P.NEWOBJ, "subprocess.Popen"),
        "newobj_ex_popen": (glob("subprocess", "Popen") + tup(lst(ustr("touch"), ustr(c))) + dct() + P.NEWOBJ_EX, "subprocess.Popen"),
        "newobj_ex_kwargs": (glob("logging", "FileHandler") + tup() + dct((ustr("filename"), ustr(c))) + P.NEWOBJ_EX, "logging.FileHandler"),
        "build_setstate_system": (glob("argparse", "Namespace") + tup() + P.NEWOBJ + dct((ustr("__setstate__"), glob("os", "system"))) + P.BUILD + ustr(touch) + P.BUILD, "os.system"),
        "build_setstate_eval": (call(glob("collections", "OrderedDict")) + dct((ustr("__setstate__"), glob("builtins", "eval"))) + P.BUILD + ustr(write) + P.BUILD, "builtins.eval"),
        "ext1": (P.EXT1 + bytes([1]), "EXT1"),
        "ext2": (P.EXT2 + struct.pack("<H", 300), "EXT2"),
        "ext4": (P.EXT4 + struct.pack("<I", 70000), "EXT4"),
        "copyreg_add_extension": (call(glob("copyreg", "add_extension"), ustr("os"), ustr("system"), integer(1)) + P.POP + P.EXT1 + bytes([1]), "copyreg.add_extension"),
        "persid_text": (P.PERSID + f"os.system {touch}\n".encode(), "refers to its data"),
        "binpersid_global": (pid(glob("os", "system"), "0", 1), "os.system"),
        "binpersid_not_storage": (tup(ustr("module"), ustr("os"), ustr("system")) + P.BINPERSID, "refers to its data"),
        "next_buffer": (P.NEXT_BUFFER, "NEXT_BUFFER"),
    }


# classes TorchLab records by name (read as data, never constructed) that run code when Python
# unpickles them: only torch.load(weights_only=True) in the exported script keeps them inert
def recorded_payloads(tag):
    c = canary(tag)
    return {
        "reconstructor_filehandler": call(glob("copyreg", "_reconstructor"), glob("logging", "FileHandler"), glob("logging", "FileHandler"), ustr(c)),
        "py2_reconstructor_filehandler": call(glob("copy_reg", "_reconstructor"), glob("logging", "FileHandler"), glob("logging", "FileHandler"), ustr(c)),
        "newobj_build_filehandler": glob("logging", "FileHandler") + tup() + P.NEWOBJ + dct((ustr("baseFilename"), ustr(c))) + P.BUILD,
    }


CONTEXTS = {
    "top": lambda v: v,
    "state_dict": lambda v: linear_state_dict([(ustr("evil"), v)]),
    "checkpoint": lambda v: dct((ustr("epoch"), integer(3)), (ustr("model_state_dict"), linear_state_dict()),
                                (ustr("history"), lst(dct((ustr("deep"), lst(lst(v))))))),
    "optimizer": lambda v: dct((ustr("model_state_dict"), linear_state_dict()),
                               (ustr("optimizer_state_dict"), dct((ustr("state"), dct((integer(0), dct((ustr("momentum_buffer"), v))))),
                                                                  (ustr("param_groups"), lst(dct((ustr("params"), lst(integer(0), integer(1))))))))),
    "tensor_hooks": lambda v: ordered((ustr("linear.weight"), tensor("0", [1, 1], hooks=v)), (ustr("linear.bias"), tensor("1", [1]))),
}

for payload in payloads("x"):
    for context, wrap in CONTEXTS.items():
        name = f"{payload}__{context}"
        value, refuse = payloads(name)[payload]
        add(name, pth_zip(pickle_of(wrap(value), 4 if "stack_global" in payload else 2)), f"exec:{payload}", "refuse", refuse)
    # the same payload in the legacy format
    name = f"{payload}__legacy"
    value, refuse = payloads(name)[payload]
    add(name, legacy(lambda: CONTEXTS["checkpoint"](value)), f"exec:{payload}", "refuse", refuse)

for payload in recorded_payloads("x"):
    for context in ("checkpoint", "optimizer"):
        name = f"{payload}__{context}"
        add(name, pth_zip(pickle_of(CONTEXTS[context](recorded_payloads(name)[payload]))), f"recorded:{payload}", "read")


# Python's own pickler, protocols 0-5, of an object whose __reduce__ runs os.system
class Touch:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


class Opener:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


for protocol in range(6):
    for cls, refuse in ((Touch, "posix.system"), (Opener, "io.open")):
        name = f"python_pickler_p{protocol}_{cls.__name__.lower()}"
        body = P.dumps({"model_state_dict": None, "evil": cls(canary(name))}, protocol=protocol)
        add(name, pth_zip(body), "exec:python_pickler", "refuse", refuse)
    # a clean state_dict in each protocol: read
    clean = linear_state_dict()
    if protocol >= 2:
        add(f"clean_state_dict_p{protocol}", pth_zip(pickle_of(clean, protocol)), "clean", "read")

# --- names that are JavaScript's own ----------------------------------------------------------
JS_NAMES = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "__defineGetter__", "prototype"]
for js in JS_NAMES:
    add(f"js_global_torch_{js}", pth_zip(pickle_of(linear_state_dict([(ustr("x"), glob("torch", js))]))), "names", "refuse", f"torch.{js}")
    add(f"js_module_{js}", pth_zip(pickle_of(call(glob(js, "loads"), ustr("x")))), "names", "refuse", f"{js}.loads")
    add(f"js_storage_string_{js}", pth_zip(pickle_of(ordered((ustr("w"), tensor("0", [1], storage_type=ustr(js)))))), "names", "refuse", "unknown type")
    add(f"js_storage_global_{js}", pth_zip(pickle_of(ordered((ustr("w"), tensor("0", [1], storage_type=glob("torch", js)))))), "names", "refuse", f"torch.{js}")
    add(f"js_key_{js}", pth_zip(pickle_of(dct((ustr("model_state_dict"), linear_state_dict()), (ustr(js), integer(1)), (ustr("torchlab"), dct((ustr(js), integer(2))))))), "names", "read")
add("js_py2_module___proto__", pth_zip(pickle_of(call(glob("__proto__", "system"), ustr("x")))), "names", "refuse", "__proto__.system")

# --- duplicate zip records ---------------------------------------------------------------------
evil = pickle_of(call(glob("os", "system"), ustr(f"touch {canary('duplicate')}")))
good = pickle_of(linear_state_dict())
data = [stored(f"archive/data/{k}", v) for k, v in LINEAR_DATA.items()] + [stored("archive/version", b"3\n")]
add("duplicate_pkl_good_first", raw_zip([stored("archive/data.pkl", good), stored("archive/data.pkl", evil)] + data), "duplicates", "refuse", 'two records named "archive/data.pkl"')
add("duplicate_pkl_evil_first", raw_zip([stored("archive/data.pkl", evil), stored("archive/data.pkl", good)] + data), "duplicates", "refuse", 'two records named "archive/data.pkl"')
add("duplicate_storage", raw_zip([stored("archive/data.pkl", good)] + data + [stored("archive/data/0", struct.pack("<f", 99.0))]), "duplicates", "refuse", 'two records named "archive/data/0"')
add("duplicate_version", raw_zip([stored("archive/data.pkl", good)] + data + [stored("archive/version", b"9\n")]), "duplicates", "refuse", 'two records named "archive/version"')

# --- bombs --------------------------------------------------------------------------------------

def list_laughs(levels):
    """level 0 is [] memoised as 0; level i holds level i-1 ten times, by memo reference: 10^levels values"""
    out = P.EMPTY_LIST + P.BINPUT + bytes([0])
    for i in range(1, levels + 1):
        out += P.POP + P.EMPTY_LIST + P.MARK + (P.BINGET + bytes([i - 1])) * 10 + P.APPENDS + P.BINPUT + bytes([i])
    return out


def dict_laughs(levels):
    out = P.EMPTY_DICT + P.BINPUT + bytes([0])
    for i in range(1, levels + 1):
        out += P.POP + P.EMPTY_DICT + P.MARK + b"".join(ustr(f"k{j}") + P.BINGET + bytes([i - 1]) for j in range(10)) + P.SETITEMS + P.BINPUT + bytes([i])
    return out


def tuple_laughs(levels):
    out = integer(1) + P.TUPLE1 + P.BINPUT + bytes([0])
    for i in range(1, levels + 1):
        out += P.POP + P.BINGET + bytes([i - 1]) + P.BINGET + bytes([i - 1]) + P.TUPLE2 + P.BINPUT + bytes([i])
    return out


for label, bomb in (("list", list_laughs(30)), ("dict", dict_laughs(30))):
    # shared values kept shared: the checkpoint reads, its model intact
    add(f"laughs_{label}_in_history", pth_zip(pickle_of(dct((ustr("model_state_dict"), linear_state_dict()), (ustr("history"), bomb)))), "bombs", "bomb")
    # TorchLab's metadata is written out as JSON: the value budget stops it
    add(f"laughs_{label}_in_torchlab_meta", pth_zip(pickle_of(dct((ustr("model_state_dict"), linear_state_dict()), (ustr("torchlab"), bomb)))), "bombs", "bomb")
    add(f"laughs_{label}_top", pth_zip(pickle_of(bomb)), "bombs", "bomb")
    add(f"laughs_{label}_legacy", legacy(lambda: dct((ustr("model_state_dict"), linear_state_dict()), (ustr("torchlab"), bomb))), "bombs", "bomb")
add("laughs_tuple_key", pth_zip(pickle_of(dct((ustr("model_state_dict"), linear_state_dict()), (ustr("h"), P.EMPTY_DICT + tuple_laughs(60) + integer(1) + P.SETITEM)))), "bombs", "bomb")
deep_key = P.NONE + P.TUPLE1 * 200_000
add("deep_tuple_key", pth_zip(pickle_of(dct((ustr("model_state_dict"), linear_state_dict()), (ustr("h"), P.EMPTY_DICT + deep_key + integer(1) + P.SETITEM)))), "bombs", "bomb")
add("deep_tuple_value", pth_zip(pickle_of(dct((ustr("model_state_dict"), linear_state_dict()), (ustr("h"), P.NONE + P.TUPLE1 * 500_000)))), "bombs", "refuse", "nests")
add("deep_lists_marks", pth_zip(pickle_of(dct((ustr("model_state_dict"), linear_state_dict()), (ustr("h"), P.MARK * 99_000 + P.LIST * 99_000)))), "bombs", "refuse", "nests")
add("too_many_marks", pth_zip(pickle_of(P.MARK * 100_001)), "bombs", "refuse", "nests too deeply")
# a pickled module whose two submodules are the same module, 60 levels deep: 2^60 paths
mod = glob("torch.nn", "Module") + tup() + P.NEWOBJ + dct((ustr("_parameters"), ordered((ustr("w"), tensor("0", [1, 1])))), (ustr("_modules"), ordered())) + P.BUILD + P.BINPUT + bytes([0])
for i in range(1, 61):
    mod += P.POP + glob("torch.nn", "Module") + tup() + P.NEWOBJ + dct((ustr("_parameters"), ordered()), (ustr("_modules"), ordered((ustr("a"), P.BINGET + bytes([i - 1])), (ustr("b"), P.BINGET + bytes([i - 1]))))) + P.BUILD + P.BINPUT + bytes([i])
add("shared_submodules", pth_zip(pickle_of(mod)), "bombs", "bomb")

# many tensors viewing one 4 MB storage (deflated to a few KB): each view is a full copy
views = P.MARK + b"".join(ustr(f"v{i}") + tensor("0", [1024, 1024]) for i in range(2000)) + P.SETITEMS
many = call(glob("collections", "OrderedDict")) + views
big_zeros = bytes(4 * 1024 * 1024)
add("views_of_one_storage", raw_zip([stored("archive/data.pkl", pickle_of(many)), deflated("archive/data/0", big_zeros), stored("archive/version", b"3\n")]), "bombs", "bomb")
# stride-0 views: one float seen as 2^28 of them, and as 1,000 tensors of 2^20
add("stride0_huge", pth_zip(pickle_of(ordered((ustr("w"), tensor("0", [2 ** 28], stride=[0], numel=1)))), {"0": struct.pack("<f", 1.0)}), "bombs", "bomb")
add("stride0_many", pth_zip(pickle_of(ordered(*[(ustr(f"w{i}"), tensor("0", [2 ** 20], stride=[0], numel=1)) for i in range(1000)])), {"0": struct.pack("<f", 1.0)}), "bombs", "bomb")
add("stride0_2d_transposed", pth_zip(pickle_of(ordered((ustr("w"), tensor("0", [2 ** 14, 2 ** 14], stride=[0, 0], numel=1)))), {"0": struct.pack("<f", 1.0)}), "bombs", "bomb")

# deflate bombs: ~4 MB of deflate that inflates to 4 GB of zeros, built from one repeated
# full-flush block so that making it costs no more than 1 MB of compression
comp = zlib.compressobj(9, zlib.DEFLATED, -15)
block = comp.compress(bytes(1024 * 1024)) + comp.flush(zlib.Z_FULL_FLUSH)
bomb_stream = block * 4096 + comp.flush()
BOMB = 4 * 1024 ** 3 - 1


def bomb_zip(declared, numel):
    pkl = pickle_of(ordered((ustr("w"), tensor("0", [numel]))))
    return raw_zip([stored("archive/data.pkl", pkl), ("archive/data/0", bomb_stream, 8, 0, declared), stored("archive/version", b"3\n")])


add("deflate_bomb_declared_4gb", bomb_zip(BOMB, BOMB // 4), "bombs", "bomb")
add("deflate_bomb_declared_small", bomb_zip(1024, 256), "bombs", "broken")
add("deflate_bomb_declared_32mb", bomb_zip(32 * 1024 * 1024, 8 * 1024 * 1024), "bombs", "bomb")
add("deflate_bomb_pickle", raw_zip([("archive/data.pkl", bomb_stream, 8, 0, BOMB)] + [stored(f"archive/data/{k}", v) for k, v in LINEAR_DATA.items()] + [stored("archive/version", b"3\n")]), "bombs", "bomb")
add("huge_long4", pth_zip(pickle_of(P.LONG4 + struct.pack("<I", 2 ** 31) + b"\x00" * 16)), "bombs", "broken")
add("huge_binunicode8", pth_zip(pickle_of(P.BINUNICODE8 + struct.pack("<Q", 2 ** 40) + b"abc")), "bombs", "broken")
add("huge_binbytes", pth_zip(pickle_of(P.BINBYTES + struct.pack("<I", 2 ** 31) + b"abc")), "bombs", "broken")
# one element in 100,000 dimensions: legal in torch; costs time quadratic in the dimensions if strides are checked naively
add("tensor_100k_dims", pth_zip(pickle_of(ordered((ustr("w"), tensor("0", [1] * 100_000))))), "bombs", "bomb")
add("storage_numel_lie", pth_zip(pickle_of(ordered((ustr("w"), tensor("0", [2 ** 30], numel=2 ** 30))))), "bombs", "broken")
add("legacy_count_lie", legacy(linear_state_dict, {"0": LINEAR_DATA["0"], "1": LINEAR_DATA["1"]})[:-12] + struct.pack("<q", 2 ** 40) + LINEAR_DATA["1"], "bombs", "broken")

# --- STOP with a function or class as the result --------------------------------------------
add("stop_on_ordered_dict_class", pth_zip(pickle_of(glob("collections", "OrderedDict"))), "stop", "refuse", "collections.OrderedDict")
add("stop_on_rebuild_function", pth_zip(pickle_of(glob("torch._utils", "_rebuild_tensor_v2"))), "stop", "refuse", "torch._utils._rebuild_tensor_v2")
add("stop_on_class_name", pth_zip(pickle_of(glob("logging", "FileHandler"))), "stop", "refuse", "logging.FileHandler")
add("callable_as_value", pth_zip(pickle_of(dct((ustr("model_state_dict"), linear_state_dict()), (ustr("f"), glob("collections", "OrderedDict"))))), "stop", "refuse", "collections.OrderedDict")

# --- legacy-format files --------------------------------------------------------------------------
add("legacy_clean", legacy(linear_state_dict), "legacy", "read")
add("legacy_payload_in_sys_info", legacy(linear_state_dict, sys_info=call(glob("os", "system"), ustr(f"touch {canary('legacy_payload_in_sys_info')}"))), "legacy", "refuse", "os.system")
add("legacy_payload_as_magic", legacy(linear_state_dict, magic=call(glob("builtins", "eval"), ustr(f"open({canary('legacy_payload_as_magic')!r}, 'w')"))), "legacy", "refuse", "builtins.eval")
add("legacy_truncated", legacy(linear_state_dict)[:-6], "legacy", "broken")
add("legacy_wrong_magic", legacy(linear_state_dict, magic=integer(12345)), "legacy", "broken")

# --- broken containers ------------------------------------------------------------------------------
clean = pth_zip(pickle_of(linear_state_dict()))
for frac in (0.1, 0.3, 0.5, 0.7, 0.9, 0.99):
    add(f"truncated_{int(frac * 100)}", clean[: int(len(clean) * frac)], "broken", "broken")
add("empty_file", b"", "broken", "broken")
add("random_bytes", bytes((i * 7919) % 251 for i in range(4096)), "broken", "broken")
add("zip_no_records", raw_zip([]), "broken", "broken")
add("zip_outside_folder", raw_zip([stored("data.pkl", good)] + data), "broken", "broken")
add("zip_bad_crc", raw_zip([("archive/data.pkl", good, 0, 1234, len(good))] + data), "broken", "broken")
add("zip_method_bzip2", raw_zip([("archive/data.pkl", good, 12, zlib.crc32(good), len(good))] + data), "broken", "broken")
add("zip_eocd_past_end", clean[:-6] + struct.pack("<I", 0xFFFFFF00) + b"\x00\x00", "broken", "broken")
add("pickle_no_stop", pth_zip(P.PROTO + b"\x02" + linear_state_dict()), "broken", "broken")
# torch 1.13 reads it (CPython's load_stop and its weights_only unpickler give the top of the stack): so does TorchLab
add("pickle_extra_on_stack", pth_zip(pickle_of(integer(1) + linear_state_dict())), "broken", "read")
add("pickle_unknown_opcode", pth_zip(pickle_of(b"\xff")), "broken", "broken")
add("pickle_protocol_6", pth_zip(P.PROTO + b"\x06" + P.NONE + P.STOP), "broken", "broken")
add("pickle_empty", pth_zip(b""), "broken", "broken")
add("pickle_get_unset_memo", pth_zip(pickle_of(P.BINGET + b"\x07")), "broken", "broken")
add("pickle_pop_empty", pth_zip(pickle_of(P.POP + P.NONE)), "broken", "broken")
add("pickle_setitem_on_list", pth_zip(pickle_of(P.EMPTY_LIST + ustr("k") + ustr("v") + P.SETITEM)), "broken", "broken")
add("pickle_unhashable_key", pth_zip(pickle_of(P.EMPTY_DICT + lst(integer(1)) + integer(1) + P.SETITEM)), "broken", "broken")
add("pickle_bad_utf8", pth_zip(pickle_of(P.BINUNICODE + struct.pack("<I", 2) + b"\xff\xfe")), "broken", "broken")
add("tensor_past_storage", pth_zip(pickle_of(ordered((ustr("w"), tensor("0", [4], numel=1)))), {"0": struct.pack("<f", 1.0)}), "broken", "broken")
add("tensor_negative_shape", pth_zip(pickle_of(ordered((ustr("w"), call(glob("torch._utils", "_rebuild_tensor_v2"), pid(glob("torch", "FloatStorage"), "0", 1), integer(0), tup(integer(-1)), tup(integer(1)), P.NEWFALSE, ordered()))))), "broken", "broken")
add("storage_missing_record", pth_zip(pickle_of(linear_state_dict()), {"0": LINEAR_DATA["0"]}), "broken", "broken")
add("torchscript_constants", pth_zip(good, extra=[stored("archive/constants.pkl", pickle_of(P.NONE))]), "broken", "broken")
add("tar_format", bytes(257) + b"ustar" + bytes(300), "broken", "broken")

print(json.dumps(manifest))
