"""Trains TorchLab's runs in torch 1.13 step by step, for stepSweep.test.ts.

Reads a list of cases on stdin and prints one JSON line per case: {"index", "losses": [each step's
loss.item()], "states": [the state_dict after each step], "val_losses": [each epoch's validation loss
in eval mode], "widest": [...], "loss_widest": [...]}, or {"index", "error"} where torch refuses the run.
A case holds TorchLab's own prepared rows (x, y, val_x, val_y as float32 values), the modules, the
loss, the optimizer, batch_size, drop_last, epochs, the initial weights (init, or init_pth a
state_dict torch saved) and masks: TorchLab's Dropout masks (0 or its float32 1/(1-p)) for each
Dropout forward pass in training, in order, which stand in for torch's own draws.
"widest" and "loss_widest" are, up to each step, the largest distance (relative to 1 or to the value)
between the run and its twins: a float64 copy and a float32 copy from weights one ulp up.
"""
import json
import re
import sys

import torch
from torch import nn

torch.set_num_threads(1)


def snake(name):
    return re.sub(r"([A-Z])", r"_\1", name).lower()


class Replay(nn.Module):
    """nn.Dropout with TorchLab's masks: the next one for each forward pass in training"""

    def __init__(self, masks):
        super().__init__()
        self.masks = masks

    def forward(self, x):
        if not self.training:
            return x
        return x * torch.tensor(next(self.masks), dtype=x.dtype).reshape(x.shape)


class LinearRegressionTorch(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)

    def forward(self, x):
        return self.linear(x)


def build(case, dtype, nudge):
    masks = iter(case["masks"])
    if case["modules"] is None:
        model = LinearRegressionTorch(case["in"], case["outputs"])
    else:
        model = nn.Sequential(*[Replay(masks) if m["type"] == "Dropout" and m["kwargs"]["p"] > 0 else getattr(nn, m["type"])(**m["kwargs"]) for m in case["modules"]])
    if "init_pth" in case:
        model.load_state_dict(torch.load(case["init_pth"]))
    else:
        model.load_state_dict({k: torch.tensor(v) if k.endswith("num_batches_tracked") else torch.tensor(v, dtype=torch.float32) for k, v in case["init"].items()})
    model = model.to(dtype)
    if nudge:
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.nextafter(p, torch.full_like(p, float("inf"))))
    o = dict(case["optimizer"])
    name = o.pop("name")
    optimizer = getattr(torch.optim, name)(model.parameters(), **{snake(k): (tuple(v) if k == "betas" else v) for k, v in o.items()})
    return model, optimizer


def tensors(case, x, y, n, dtype):
    x = torch.tensor(x, dtype=torch.float32).reshape(n, case["in"]).to(dtype)
    if case["loss"] == "CrossEntropyLoss":
        return x, torch.tensor(y).long()
    return x, torch.tensor(y, dtype=torch.float32).reshape(n, 1).to(dtype)


def distance(a, b):
    return max([((p - q.to(p.dtype)).abs() / p.abs().clamp(min=1)).max().item() for p, q in zip(a.state_dict().values(), b.state_dict().values()) if p.is_floating_point()] + [0])


def gap(a, b):
    return abs(a - b) / max(1.0, abs(a))


def train(case):
    loss_fn = getattr(nn, case["loss"])(**case["loss_kwargs"])
    runs = []
    for dtype, nudge in [(torch.float32, False), (torch.float64, False), (torch.float32, True)]:
        model, optimizer = build(case, dtype, nudge)
        runs.append({"model": model, "optimizer": optimizer, "data": tensors(case, case["x"], case["y"], case["n"], dtype), "val": tensors(case, case["val_x"], case["val_y"], case["val_n"], dtype)})
    out = {"losses": [], "states": [], "val_losses": [], "widest": [], "loss_widest": []}
    widest = loss_widest = 0.0
    b, n = case["batch_size"], case["n"]
    starts = [s for s in range(0, n, b) if not (case["drop_last"] and s + b > n)]
    for _ in range(case["epochs"]):
        for s in starts:
            losses = []
            for run in runs:
                model = run["model"]
                model.train()
                x, y = run["data"]
                run["optimizer"].zero_grad()
                loss = loss_fn(model(x[s:s + b]), y[s:s + b])
                loss.backward()
                run["optimizer"].step()
                losses.append(loss.item())
            first = runs[0]["model"]
            widest = max(widest, distance(first, runs[1]["model"]), distance(first, runs[2]["model"]))
            loss_widest = max(loss_widest, gap(losses[0], losses[1]), gap(losses[0], losses[2]))
            out["losses"].append(losses[0])
            out["states"].append({k: v.tolist() for k, v in first.state_dict().items()})
            out["widest"].append(widest)
            out["loss_widest"].append(loss_widest)
        if case["val_n"] and "val_error" not in out:
            model = runs[0]["model"]
            model.eval()
            try:
                with torch.no_grad():
                    out["val_losses"].append(loss_fn(model(runs[0]["val"][0]), runs[0]["val"][1]).item())
            except Exception as err:  # BatchNorm1d without running statistics on one validation row: lab train must refuse, lab step (no validation) steps on
                out["val_error"] = f"{type(err).__name__}: {err}"

    return out


for case in json.loads(sys.stdin.read()):
    try:
        result = train(case)
    except Exception as err:  # torch refuses the run: TorchLab must refuse it too
        result = {"error": f"{type(err).__name__}: {err}"}
    # a NaN or infinite loss or weight (a run that blew up) arrives as null
    print(re.sub(r"-?\bInfinity\b|\bNaN\b", "null", json.dumps({"index": case["index"], **result})), flush=True)
