"""Trains a TorchLab run in real PyTorch: same data, same initial weights, same batch order.

Reads one JSON object on stdin and prints {"state_dict": {...}, "losses": [...], "predictions": [...]}:
  csv, features, target, scale ("none"|"standard"),
  model: {kind: "linear"} | {kind: "sequential", modules: [{type: "Linear", kwargs: {...}}, ...]}
         (or the older {kind: "mlp", hidden: [{units, activation}]}),
  loss, loss_kwargs ({delta} or {beta}), optimizer ({name, lr, ...} in TorchLab's camelCase),
  epochs, batch_size, init ({name: nested list}).
predictions: the trained model's outputs on every row in eval mode.
"""
import re
import csv
import json
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
spec = json.loads(sys.stdin.read())
rows = list(csv.DictReader(open(spec["csv"], newline="")))
X = np.array([[float(r[f]) for f in spec["features"]] for r in rows], dtype=np.float64)
if spec["scale"] == "standard":
    std = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1)
raw = [r[spec["target"]] for r in rows]
if spec["loss"] in ("CrossEntropyLoss", "BCEWithLogitsLoss", "BCELoss"):
    # class labels as sorted indices, as TorchLab encodes them
    try:
        keys, convert = sorted(set(float(v) for v in raw)), float
    except ValueError:
        keys, convert = sorted(set(raw)), str
    index = {k: i for i, k in enumerate(keys)}
    y = np.array([index[convert(v)] for v in raw], dtype=np.float32)
else:
    y = np.array([float(v) for v in raw], dtype=np.float32)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y).reshape(-1, 1)
if spec["loss"] == "CrossEntropyLoss":
    y = y.reshape(-1).long()



class LinearRegressionTorch(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)

    def forward(self, x):
        return self.linear(x)


n_in = X.shape[1]
n_out = spec.get("outputs", 1)
kind = spec["model"]["kind"]
if kind == "linear":
    model = LinearRegressionTorch(n_in, n_out)
elif kind == "mlp":
    layers, size = [], n_in
    for h in spec["model"]["hidden"]:
        layers += [nn.Linear(size, h["units"]), getattr(nn, h["activation"])()]
        size = h["units"]
    model = nn.Sequential(*layers, nn.Linear(size, n_out))
else:
    model = nn.Sequential(*[getattr(nn, m["type"])(**m["kwargs"]) for m in spec["model"]["modules"]])
model.load_state_dict({k: torch.tensor(v) if k.endswith("num_batches_tracked") else torch.tensor(v, dtype=torch.float32) for k, v in spec["init"].items()})

loss_fn = getattr(nn, spec["loss"])(**spec.get("loss_kwargs", {}))


def snake(name):
    return re.sub(r"([A-Z])", r"_\1", name).lower()


o = dict(spec["optimizer"])
name = o.pop("name")
kwargs = {snake(k): (tuple(v) if k == "betas" else v) for k, v in o.items()}
optimizer = getattr(torch.optim, name)(model.parameters(), **kwargs)

loader = DataLoader(TensorDataset(X, y), batch_size=spec["batch_size"], shuffle=False)
losses = []
model.train()
for epoch in range(spec["epochs"]):
    total, count = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item()
        count += 1
    losses.append(total / count)

model.eval()
with torch.no_grad():
    predictions = model(X).tolist()
print(json.dumps({"state_dict": {k: v.tolist() for k, v in model.state_dict().items()}, "losses": losses, "predictions": predictions}))
