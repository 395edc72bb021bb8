"""Writes .pth files with real PyTorch for the reader's tests, and describes what torch.load returns.

argv[1]: output folder. Prints {name: {"path", "expect": description or null, "refuse": text or null}}.
"""
import io
import json
import os
import pickle
import sys
import zipfile

import torch
from torch import nn

out = sys.argv[1]
made = {}


def describe(v):
    if isinstance(v, torch.Tensor):
        dtype = str(v.dtype).replace("torch.", "")
        flat = v.detach().reshape(-1)
        values = flat.float().tolist() if v.dtype in (torch.float16, torch.bfloat16) else flat.tolist()
        if v.dtype == torch.bool:
            values = [int(x) for x in values]
        return {"tensor": True, "dtype": dtype, "shape": list(v.shape), "values": values}
    if isinstance(v, dict):
        return {"dict": True, "keys": [str(k) for k in v.keys()], "items": {str(k): describe(x) for k, x in v.items()}}
    if isinstance(v, (list, tuple)):
        return [describe(x) for x in v]
    return v


def save(name, obj, expect=True, refuse=None, **kwargs):
    path = os.path.join(out, name + ".pth")
    torch.save(obj, path, **kwargs)
    made[name] = {"path": path, "expect": describe(torch.load(path)) if expect else None, "refuse": refuse}
    return path


def rewrite(src, name, change, refuse=None, expect=None):
    """Copies a zip .pth record by record through `change(name, data) -> data or None` (None drops it)."""
    dst = os.path.join(out, name + ".pth")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)
    made[name] = {"path": dst, "expect": expect, "refuse": refuse}
    return dst


torch.manual_seed(0)
save("dtypes", {
    "f64": torch.randn(3, 2, dtype=torch.float64),
    "f16": torch.randn(4).half(),
    "bf16": torch.randn(2, 2).bfloat16(),
    "i64": torch.tensor([1, -2, 3 ** 30], dtype=torch.int64),
    "i32": torch.tensor([7, -8], dtype=torch.int32),
    "i16": torch.tensor([300], dtype=torch.int16),
    "i8": torch.tensor([-5], dtype=torch.int8),
    "u8": torch.tensor([250], dtype=torch.uint8),
    "flags": torch.tensor([True, False, True]),
    "scalar": torch.tensor(3.5),
    "empty": torch.zeros(0, 3),
})

bn = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
bn.train()
bn(torch.randn(8, 3))
save("batchnorm_state_dict", bn.state_dict())

base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
save("views", {"base": base, "transposed": base.t(), "row": base[2], "column": base[:, 3], "slice": base[1:3, 2:5], "offset": base.reshape(-1)[5:11]})

lin = nn.Linear(3, 2)
save("protocol4", lin.state_dict(), pickle_protocol=4)
save("protocol5", {"w": torch.randn(2, 2), "n": [1, 2.5, "x", None, True]}, pickle_protocol=5)

model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(torch.randn(5, 2)).sum().backward()
opt.step()
save("nested_checkpoint", {"epoch": 7, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt.state_dict(),
                           "loss": 0.25, "history": {"train": [1.0, 0.5], "meta": {"deep": {"deeper": (1, 2, 3)}}}})
save("legacy_views", {"base": base, "transposed": base.t()}, _use_new_zipfile_serialization=False)


class LinearRegressionTorch(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


sys.modules["__main__"].LinearRegressionTorch = LinearRegressionTorch
whole = LinearRegressionTorch()
path = os.path.join(out, "full_model.pth")
torch.save(whole, path)
made["full_model"] = {"path": path, "expect": describe(whole.state_dict()), "refuse": None}
path = os.path.join(out, "full_sequential.pth")
torch.save(model, path)
made["full_sequential"] = {"path": path, "expect": describe(model.state_dict()), "refuse": None}


class Evil:
    def __reduce__(self):
        return (eval, ("__import__('os').system('touch /tmp/torchlab-pwned')",))


save("eval_attack", {"weights": torch.ones(2), "deep": [[[[{"x": [Evil()]}]]]]}, expect=False, refuse="builtins.eval")
good = save("good", lin.state_dict())
rewrite(good, "storage_cut_short", lambda n, d: d[:-3] if "/data/" in n else d, refuse="cut short")
rewrite(good, "storage_missing", lambda n, d: None if n.endswith("/data/1") else d, refuse="missing the data of storage")
rewrite(good, "no_pickle", lambda n, d: None if n.endswith("data.pkl") else d, refuse="data.pkl")
rewrite(good, "torchscript", lambda n, d: d, refuse="TorchScript")
with zipfile.ZipFile(made["torchscript"]["path"], "a") as z:
    z.writestr("good/constants.pkl", b"\x80\x02).")


def big_endian(name, data):
    if "/data/" in name:
        return b"".join(data[i:i + 4][::-1] for i in range(0, len(data), 4))
    return data


# torch 1.13 reads past the byteorder record, into byte-swapped values: refused, not read wrong
be = rewrite(good, "big_endian", big_endian, refuse="big-endian")
with zipfile.ZipFile(be, "a") as z:
    z.writestr("good/byteorder", "big")
deflated = os.path.join(out, "deflated.pth")
with zipfile.ZipFile(good) as zin, zipfile.ZipFile(deflated, "w", compression=zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        zout.writestr(info.filename.replace("good/", "deflated/"), zin.read(info.filename))
made["deflated"] = {"path": deflated, "expect": describe(lin.state_dict()), "refuse": None}

print(json.dumps(made))
