"""Trains a TorchLab run in real PyTorch: same data, same initial weights, same batch order.

Reads one JSON object on stdin and prints {"state_dict": {...}, "losses": [...], "predictions": [...]};
or a list of them (one Python start for a whole sweep) and prints one line per run, each
{"index": k, ...} or {"index": k, "error": "..."} where torch refused the run.
  csv, features, target, scale ("none"|"standard"),
  model: {kind: "linear"} | {kind: "sequential", modules: [{type: "Linear", kwargs: {...}}, ...]}
         (or the older {kind: "mlp", hidden: [{units, activation}]}),
  loss, loss_kwargs ({delta} or {beta}), optimizer ({name, lr, ...} in TorchLab's camelCase),
  epochs, batch_size, init ({name: nested list}) or init_pth (a state_dict torch.save()d).
Optional: drop_last; rows and val_rows (the training and validation rows, by index in the CSV,
in TorchLab's order; the scaler is fitted on the training rows); float64 (also train a float64
copy and a float32 copy from weights one ulp up alongside, and report "widest", the largest
distance between the run's weights and either copy's at any epoch's end, and "losses_widest" for
the epoch losses, each relative to 1 or to the value: how far float32 rounding alone carries the run).
predictions: the trained model's outputs on every training row in eval mode; val_losses: the
validation loss after each epoch in eval mode.
"""
import copy
import re
import csv
import json
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)


class LinearRegressionTorch(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)

    def forward(self, x):
        return self.linear(x)


def snake(name):
    return re.sub(r"([A-Z])", r"_\1", name).lower()


def data(spec):
    rows = list(csv.DictReader(open(spec["csv"], newline="")))
    X = np.array([[float(r[f]) for f in spec["features"]] for r in rows], dtype=np.float64)
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
    train_rows = spec.get("rows", list(range(len(rows))))
    val_rows = spec.get("val_rows", [])
    if spec["scale"] == "standard":
        fit = X[train_rows]
        std = fit.std(axis=0)
        X = (X - fit.mean(axis=0)) / np.where(std > 0, std, 1)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y).reshape(-1, 1)
    if spec["loss"] == "CrossEntropyLoss":
        y = y.reshape(-1).long()
    return (X[train_rows], y[train_rows]), (X[val_rows], y[val_rows])


def build(spec, n_in):
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
    if "init_pth" in spec:
        model.load_state_dict(torch.load(spec["init_pth"]))
    else:
        model.load_state_dict({k: torch.tensor(v) if k.endswith("num_batches_tracked") else torch.tensor(v, dtype=torch.float32) for k, v in spec["init"].items()})
    return model


def optimizer_for(spec, model):
    o = dict(spec["optimizer"])
    name = o.pop("name")
    kwargs = {snake(k): (tuple(v) if k == "betas" else v) for k, v in o.items()}
    return getattr(torch.optim, name)(model.parameters(), **kwargs)


def distance(a, b):
    return max([((p - q.to(p.dtype)).abs() / p.abs().clamp(min=1)).max().item() for p, q in zip(a.state_dict().values(), b.state_dict().values()) if p.is_floating_point()] + [0])


# where the float32 run's loss first went NaN or infinite: a run torch refuses later (BatchNorm1d's one-row
# batch) had blown up before, as TorchLab's stopped run did
first_blowup = {}


def train(spec):
    first_blowup.clear()
    (X, y), (Xv, yv) = data(spec)
    loss_fn = getattr(nn, spec["loss"])(**spec.get("loss_kwargs", {}))
    runs = []
    # the float64 twin, and a float32 run from weights one ulp away: how far rounding alone carries this run
    twins = [(torch.float32, False), (torch.float64, False), (torch.float32, True)] if spec.get("float64") else [(torch.float32, False)]
    for dtype, nudge in twins:
        model = build(spec, X.shape[1]).to(dtype)
        if nudge:
            with torch.no_grad():
                for p in model.parameters():
                    p.copy_(torch.nextafter(p, torch.full_like(p, float("inf"))))
        cast = lambda t: t if t.dtype == torch.long else t.to(dtype)
        loader = DataLoader(TensorDataset(cast(X), cast(y)), batch_size=spec["batch_size"], shuffle=False, drop_last=spec.get("drop_last", False))
        runs.append({"model": model, "optimizer": optimizer_for(spec, model), "loader": loader, "val": (cast(Xv), cast(yv)), "losses": [], "val_losses": []})
    widest = 0.0
    for epoch in range(spec["epochs"]):
        for run in runs:
            model = run["model"]
            model.train()
            total, count = 0.0, 0
            for xb, yb in run["loader"]:
                run["optimizer"].zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                run["optimizer"].step()
                total += loss.item()
                count += 1
                if run is runs[0] and not first_blowup and not np.isfinite(loss.item()):
                    first_blowup.update(epoch=epoch + 1, step=count)
            run["losses"].append(total / count)
            if len(Xv):
                model.eval()
                with torch.no_grad():
                    run["val_losses"].append(loss_fn(model(run["val"][0]), run["val"][1]).item())
        if len(runs) == 3:
            widest = max(widest, distance(runs[0]["model"], runs[1]["model"]), distance(runs[0]["model"], runs[2]["model"]))
    model = runs[0]["model"]
    model.eval()
    with torch.no_grad():
        predictions = model(X).tolist()
    out = {"state_dict": {k: v.tolist() for k, v in model.state_dict().items()}, "losses": runs[0]["losses"], "val_losses": runs[0]["val_losses"], "predictions": predictions}
    if len(runs) == 3:
        out["widest"] = widest
        out["losses_widest"] = max([abs(a - b) / max(1, abs(b)) for twin in runs[1:] for a, b in zip(runs[0]["losses"], twin["losses"])] + [0])
    return out


def finite(value):
    """JSON has no NaN or Infinity: a run that blew up reports null there"""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


spec = json.loads(sys.stdin.read())
if isinstance(spec, list):
    for k, one in enumerate(spec):
        try:
            result = train(one)
        except (ValueError, RuntimeError, ZeroDivisionError) as e:
            # ZeroDivisionError: drop_last left no batch, so no step and no loss
            result = {"error": str(e), **({"blew_up_at": dict(first_blowup)} if first_blowup else {})}
        print(json.dumps(finite({"index": k, **result})), flush=True)
else:
    print(json.dumps(train(spec)))
