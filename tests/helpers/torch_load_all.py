"""Loads each .pth file named on stdin (a JSON list of paths) as torch.load does, through torch's
own readers (serialization._load, _legacy_load), with what torch.load(weights_only=True) allows
but plain floats too (torch 1.13's weights_only refuses them, newer torch accepts them): an
unpickler that finds only torch's rebuilds, storages, dtypes and OrderedDict and runs nothing else
a file names. torch.load itself cannot be given it: 1.13 replaces any pickle_module with pickle
when weights_only is False, and so runs whatever the file names. Prints one JSON line per file: every tensor in
what was loaded, by its dotted path, or the error torch raised. Damaged files are the input, so
each load has its own time and memory limit."""
import collections
import json
import math
import pickle
import resource
import signal
import sys

import torch

resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))
ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor"): torch._utils._rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): torch._utils._rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): torch._utils._rebuild_parameter,
    ("torch.nn.parameter", "Parameter"): torch.nn.parameter.Parameter,
    ("torch", "Size"): torch.Size,
}


class SafeUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in ALLOWED:
            return ALLOWED[(module, name)]
        if module == "torch" and (name.endswith("Storage") or isinstance(getattr(torch, name, None), torch.dtype)):
            return getattr(torch, name)
        raise pickle.UnpicklingError(f"global {module}.{name} is not allowed")


class SafePickle:
    Unpickler = SafeUnpickler
    __name__ = "pickle"

    @staticmethod
    def load(f, **kw):
        return SafeUnpickler(f, **kw).load()


def load(path):
    """torch.load(path, weights_only=False)'s dispatch, with SafePickle in place of pickle"""
    ser = torch.serialization
    with ser._open_file_like(path, "rb") as opened:
        if ser._is_zipfile(opened):
            with ser._open_zipfile_reader(opened) as archive:
                if ser._is_torchscript_zip(archive):
                    raise RuntimeError("a TorchScript archive, which torch.load hands to torch.jit.load")
                return ser._load(archive, None, SafePickle, encoding="utf-8")
        return ser._legacy_load(opened, None, SafePickle, encoding="utf-8")


def number(x):
    return x if isinstance(x, (int, bool)) or math.isfinite(x) else repr(x)


def tensors(value, path, out, depth=0):
    if depth > 50:
        return
    if isinstance(value, torch.Tensor):
        if value.layout == torch.strided and value.device.type == "cpu":
            out[path] = {"dtype": str(value.dtype).replace("torch.", ""), "shape": list(value.shape),
                         "values": [number(x) for x in value.detach().reshape(-1)[:10000].tolist()]}
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else ()
    for k, v in items:
        tensors(v, f"{path}.{k}" if path else str(k), out, depth + 1)


def timeout(*_):
    raise TimeoutError("torch.load took over 20 s")


signal.signal(signal.SIGALRM, timeout)
for path in json.loads(sys.stdin.read()):
    signal.alarm(20)
    try:
        loaded = load(path)
        out = {}
        tensors(loaded, "", out)
        line = {"tensors": out}
    except BaseException as e:  # noqa: BLE001 (every refusal, MemoryError and RecursionError included, is an outcome)
        line = {"error": f"{type(e).__name__}: {e}"[:300]}
    signal.alarm(0)
    print(json.dumps(line), flush=True)
