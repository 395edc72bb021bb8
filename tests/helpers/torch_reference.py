"""Trains a TorchLab run in real PyTorch: same data, same initial weights, same batch order.

Reads one JSON object on stdin and prints {"state_dict": {...}, "losses": [...]}:
  csv, features, target, scale ("none"|"standard"), model ({kind, hidden: [{units, activation}]}),
  loss, huber_delta, optimizer ({name, lr, ...}), epochs, batch_size, init ({name: nested list})
"""
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
if spec["loss"] in ("CrossEntropyLoss", "BCEWithLogitsLoss"):
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

ACT = {"ReLU": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh, "LeakyReLU": nn.LeakyReLU, "ELU": nn.ELU, "GELU": nn.GELU}


class LinearRegressionTorch(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)

    def forward(self, x):
        return self.linear(x)


n_in = X.shape[1]
n_out = spec.get("outputs", 1)
if spec["model"]["kind"] == "linear":
    model = LinearRegressionTorch(n_in, n_out)
else:
    layers, size = [], n_in
    for h in spec["model"]["hidden"]:
        layers += [nn.Linear(size, h["units"]), ACT[h["activation"]]()]
        size = h["units"]
    model = nn.Sequential(*layers, nn.Linear(size, n_out))
model.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in spec["init"].items()})

loss_fn = {
    "MSELoss": lambda: nn.MSELoss(),
    "L1Loss": lambda: nn.L1Loss(),
    "HuberLoss": lambda: nn.HuberLoss(delta=spec.get("huber_delta", 1.0)),
    "BCEWithLogitsLoss": lambda: nn.BCEWithLogitsLoss(),
    "CrossEntropyLoss": lambda: nn.CrossEntropyLoss(),
}[spec["loss"]]()

o = dict(spec["optimizer"])
name = o.pop("name")
rename = {"weightDecay": "weight_decay"}
kwargs = {rename.get(k, k): (tuple(v) if k == "betas" else v) for k, v in o.items()}
optimizer = getattr(torch.optim, name)(model.parameters(), **kwargs)

loader = DataLoader(TensorDataset(X, y), batch_size=spec["batch_size"], shuffle=False)
losses = []
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

print(json.dumps({"state_dict": {k: v.tolist() for k, v in model.state_dict().items()}, "losses": losses}))
