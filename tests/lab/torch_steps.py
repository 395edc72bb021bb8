"""Replays a TorchLab step trace in real PyTorch: the same rows, the same starting weights.

stdin: {"csv", "features", "target", "model", "optimizer", "initial", "steps": [[row, ...], ...]}
stdout: [{"loss", "grads": {name: list}, "params": {name: list}}, ...]
"""
import csv
import json
import sys

import torch
from torch import nn

torch.set_num_threads(1)
spec = json.loads(sys.stdin.read())
rows = list(csv.DictReader(open(spec["csv"], newline="")))
X = torch.tensor([[float(r[f]) for f in spec["features"]] for r in rows], dtype=torch.float32)
y = torch.tensor([[float(r[spec["target"]])] for r in rows], dtype=torch.float32)

ACT = {"ReLU": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh, "LeakyReLU": nn.LeakyReLU, "ELU": nn.ELU, "GELU": nn.GELU}


class LinearRegressionTorch(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.linear = nn.Linear(n_in, 1)

    def forward(self, x):
        return self.linear(x)


if spec["model"]["kind"] == "linear":
    model = LinearRegressionTorch(X.shape[1])
else:
    layers, size = [], X.shape[1]
    for layer in spec["model"]["layers"]:
        if layer["kind"] == "Linear":
            out_features = layer.get("outFeatures") or 1
            layers.append(nn.Linear(size, out_features))
            size = out_features
        else:
            layers.append(ACT[layer["kind"]]())
    model = nn.Sequential(*layers)
model.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in spec["initial"].items()})
o = dict(spec["optimizer"])
name = o.pop("name")
kwargs = {"weight_decay" if k == "weightDecay" else k: (tuple(v) if k == "betas" else v) for k, v in o.items()}
optimizer = getattr(torch.optim, name)(model.parameters(), **kwargs)
loss_fn = nn.MSELoss()

out = []
for indices in spec["steps"]:
    optimizer.zero_grad()
    loss = loss_fn(model(X[indices]), y[indices])
    loss.backward()
    grads = {n: p.grad.tolist() for n, p in model.named_parameters()}
    optimizer.step()
    out.append({"loss": loss.item(), "grads": grads, "params": {k: v.tolist() for k, v in model.state_dict().items()}})
print(json.dumps(out))
