"""Times the course loop in real PyTorch: cars.csv, wt -> mpg, nn.Linear(1, 1), SGD lr 0.02.

Prints JSON {"slicing": s, "dataloader": s, "full_batch": s} (median of `repeats`, seconds).
"""
import csv
import json
import statistics
import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
path, epochs, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = list(csv.DictReader(open(path, newline="")))
X = torch.tensor([[float(r["wt"])] for r in rows], dtype=torch.float32)
y = torch.tensor([[float(r["mpg"])] for r in rows], dtype=torch.float32)


def run(batches):
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.02)
    loss_fn = nn.MSELoss()
    start = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in batches():
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def slicing():
    for i in range(0, len(X), 2):
        yield X[i : i + 2], y[i : i + 2]


loader = DataLoader(TensorDataset(X, y), batch_size=2, shuffle=False)
result = {
    "slicing": statistics.median(run(slicing) for _ in range(repeats)),
    "dataloader": statistics.median(run(lambda: loader) for _ in range(repeats)),
    "full_batch": statistics.median(run(lambda: [(X, y)]) for _ in range(repeats)),
}
print(json.dumps(result))
