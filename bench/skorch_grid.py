"""Times the course's grid search in real skorch + GridSearchCV: lr x max_epochs, cv=3, r2.

Prints JSON {"seconds": median of `repeats`, "best_params": ..., "best_score": ...}.
"""
import csv
import json
import statistics
import sys
import time
import warnings

import numpy as np
import torch
from sklearn.model_selection import GridSearchCV
from skorch import NeuralNetRegressor
from torch import nn

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
path, repeats = sys.argv[1], int(sys.argv[2])
rows = list(csv.DictReader(open(path, newline="")))
X = np.array([[float(r["wt"])] for r in rows], dtype=np.float32)
y = np.array([[float(r["mpg"])] for r in rows], dtype=np.float32)


class LinearRegressionTorch(nn.Module):
    def __init__(self, input_size=1, output_size=1):
        super().__init__()
        self.linear = nn.Linear(input_size, output_size)

    def forward(self, x):
        return self.linear(x)


times, search = [], None
for _ in range(repeats):
    net = NeuralNetRegressor(LinearRegressionTorch, max_epochs=100, lr=0.1, train_split=False, verbose=0)
    search = GridSearchCV(net, {"lr": [0.02, 0.05, 0.08], "max_epochs": [10, 200, 500]}, scoring="r2", cv=3)
    start = time.perf_counter()
    search.fit(X, y)
    times.append(time.perf_counter() - start)
print(json.dumps({"seconds": statistics.median(times), "best_params": search.best_params_, "best_score": search.best_score_}))
