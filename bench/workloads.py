"""The PyTorch side of `npm run bench`: one workload per call, on one thread, median of repeats.

python3 bench/workloads.py NAME DATA_DIR REPEATS  ->  {"seconds": median, "runs": [each repeat's s], "peak_mb": rss}
"""
import csv
import json
import os
import resource
import statistics
import sys
import time
import warnings

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
name, data_dir, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])


def cars():
    rows = list(csv.DictReader(open(os.path.join(data_dir, "cars.csv"), newline="")))
    return (torch.tensor([[float(r["wt"])] for r in rows]), torch.tensor([[float(r["mpg"])] for r in rows]))


def timed(fn):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def course(batches, epochs=1000):
    def run():
        torch.manual_seed(0)
        model = nn.Linear(1, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.02)
        loss_fn = nn.MSELoss()
        for _ in range(epochs):
            for xb, yb in batches():
                opt.zero_grad()
                loss_fn(model(xb), yb).backward()
                opt.step()
    return run


def mlp_100k(activation=nn.ReLU):
    data = np.loadtxt(os.path.join(data_dir, "mlp100k.csv"), delimiter=",", skiprows=1, dtype=np.float32)
    x, y = torch.tensor(data[:, :8]), torch.tensor(data[:, 8:])

    def run():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 64), activation(), nn.Linear(64, 64), activation(), nn.Linear(64, 1))
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        loss_fn = nn.MSELoss()
        for i in range(0, len(x), 32):
            opt.zero_grad()
            loss_fn(model(x[i:i + 32]), y[i:i + 32]).backward()
            opt.step()
    return run


def grid():
    from sklearn.model_selection import GridSearchCV
    from skorch import NeuralNetRegressor
    x, y = cars()

    class LinearRegressionTorch(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, v):
            return self.linear(v)

    def run():
        net = NeuralNetRegressor(LinearRegressionTorch, max_epochs=100, lr=0.1, train_split=False, verbose=0)
        GridSearchCV(net, {"lr": [0.02, 0.05, 0.08], "max_epochs": [10, 200, 500]}, scoring="r2", cv=3).fit(x.numpy(), y.numpy())
    return run


def csv_import(name):
    import pandas as pd
    return lambda: pd.read_csv(os.path.join(data_dir, name))


def pth(part):
    path = os.path.join(data_dir, "torch-100mb.pth")
    sd = {f"layer{i}.weight": torch.randn(1024, 1024) for i in range(25)}
    torch.save(sd, path)
    if part == "save":
        return lambda: torch.save(sd, path)
    if part == "save-flushed":
        def flushed():
            # the flush TorchLab does before its rename, so the reader sees what durability costs
            with open(path, "wb") as f:
                torch.save(sd, f)
                f.flush()
                os.fsync(f.fileno())
        return flushed
    return lambda: torch.load(path)


x, y = cars() if name.startswith("course") else (None, None)
WORKLOADS = {
    "course-slicing": lambda: course(lambda: ((x[i:i + 2], y[i:i + 2]) for i in range(0, len(x), 2))),
    "course-dataloader": lambda: course(lambda: DataLoader(TensorDataset(x, y), batch_size=2, shuffle=False)),
    "course-full-batch": lambda: course(lambda: [(x, y)]),
    "mlp-100k": mlp_100k,
    "mlp-100k-sigmoid": lambda: mlp_100k(nn.Sigmoid),
    "grid": grid,
    "csv-1m": lambda: csv_import("big.csv"),
    "csv-1m-labels": lambda: csv_import("labels.csv"),
    "pth-save": lambda: pth("save"),
    "pth-save-flushed": lambda: pth("save-flushed"),
    "pth-load": lambda: pth("load"),
}
runs = timed(WORKLOADS[name]())
# the kernel's peak resident set of this process, as the TorchLab side reads its own (KiB on Linux)
print(json.dumps({"seconds": statistics.median(runs), "runs": runs, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
