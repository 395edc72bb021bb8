/**
 * The PyTorch script equivalent to a TorchLab model or run: the nn.Module whose state_dict keys
 * match the file, the Dataset/DataLoader, loss, optimizer and training loop, and the lines that
 * load the .pth. It runs as is: `python3 model.py [--epochs N]`.
 */
import type { TorchlabMeta } from '../../../shared/api'
import type { ModelSpec } from '../../../shared/schemas'
import { lossSpecOf } from '../../../shared/catalog/losses'
import { lossCode, moduleCode, optimizerCode, py } from '../../../shared/pytorchCode'

function dataCode(meta: TorchlabMeta, csvPath: string): string {
  const { dataset, task, classes, scaler, train } = meta
  return `CSV_PATH = ${py(csvPath)}
FEATURES = ${py(dataset.features)}
TARGET = ${py(dataset.target)}
CLASSES = ${py(classes ?? null)}
# standardisation with TorchLab's training-split statistics (None: no scaling)
MEAN = ${py(scaler?.mean ?? null)}
STD = ${py(scaler?.std ?? null)}
MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}


def number(cell):
    return float(cell.strip().replace(",", ".") if ${py(dataset.parse.decimal === ',')} else cell.strip())


class CsvDataset(Dataset):
    """The rows of the CSV as (features, target) tensors, as TorchLab prepared them."""

    def __init__(self, path):
        with open(path, newline="", encoding="utf-8-sig") as f:
            sample = f.read(4096)
            f.seek(0)
            delimiter = ${py(dataset.parse.delimiter || null)} or csv.Sniffer().sniff(sample, ",;\\t|").delimiter
            rows = list(csv.DictReader(f, delimiter=delimiter))
        cols = FEATURES + [TARGET]
        if ${py(dataset.missing === 'drop')}:
            rows = [r for r in rows if all(r[c].strip().lower() not in MISSING for c in cols)]
        else:
            rows = [r for r in rows if r[TARGET].strip().lower() not in MISSING]
            for c in FEATURES:
                present = [number(r[c]) for r in rows if r[c].strip().lower() not in MISSING]
                for r in rows:
                    if r[c].strip().lower() in MISSING:
                        r[c] = str(sum(present) / len(present))
        x = torch.tensor([[number(r[c]) for c in FEATURES] for r in rows], dtype=torch.float32)
        if MEAN is not None:
            x = (x - torch.tensor(MEAN)) / torch.tensor(STD)
        self.x = x
        if CLASSES is not None:
            labels = [r[TARGET].strip() for r in rows]
            try:
                # numeric class labels: TorchLab numbers them in sorted numeric order
                index = {float(c): i for i, c in enumerate(CLASSES)}
                y = torch.tensor([index[number(v)] for v in labels])
            except ValueError:
                index = {c: i for i, c in enumerate(CLASSES)}
                y = torch.tensor([index[v] for v in labels])
            self.y = y if ${py(task === 'multiclass')} else y.float().reshape(-1, 1)
        else:
            self.y = torch.tensor([number(r[TARGET]) for r in rows], dtype=torch.float32).reshape(-1, 1)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


BATCH_SIZE = ${train.batchSize}
SHUFFLE = ${py(train.shuffle)}
DROP_LAST = ${py(train.dropLast)}
EPOCHS = ${train.epochs}
loss_fn = ${lossCode(lossSpecOf(train))}


def make_optimizer(model):
    return ${optimizerCode(train.optimizer)}
`
}

export interface ExportInput {
  model: ModelSpec
  pthPath: string
  kind: 'state_dict' | 'checkpoint' | 'module'
  meta?: TorchlabMeta
  /** where the run's CSV is on this machine */
  csvPath?: string
}

export function exportPython(input: ExportInput): string {
  const { code, build } = moduleCode(input.model)
  const withData = input.meta !== undefined && input.csvPath !== undefined
  const load =
    input.kind === 'state_dict'
      ? `    # weights_only=True: torch.load must never run code a .pth file names
    state_dict = torch.load(path, weights_only=True)
    model.load_state_dict(state_dict)
    return model, None`
      : `    # weights_only=True: torch.load must never run code a .pth file names
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    return model, checkpoint`
  const train = withData
    ? `
    dataset = CsvDataset(CSV_PATH)
    loader = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=SHUFFLE, drop_last=DROP_LAST)
    optimizer = make_optimizer(model)
    if checkpoint is not None and "optimizer_state_dict" in checkpoint:
        optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    model.train()
    for epoch in range(args.epochs):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch + 1}: loss {total / len(loader):.6f}")
    # eval mode: Dropout passes values through and BatchNorm1d uses its running statistics
    model.eval()
    with torch.no_grad():
        print("loss on all rows:", loss_fn(model(dataset.x), dataset.y).item())`
    : `
    model.eval()
    with torch.no_grad():
        print("output for an input of zeros:", model(torch.zeros(1, ${input.model.inFeatures})).tolist())`
  return `"""PyTorch equivalent of a TorchLab model, generated by TorchLab.

Run it as is:  python3 ${'<this file>'} [--pth FILE] [--epochs N]
"""
import argparse
import csv

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

PTH_PATH = ${py(input.pthPath)}


${code}

def build_model():
    return ${build}


def load(path=PTH_PATH):
    model = build_model()
${load}

${withData ? dataCode(input.meta!, input.csvPath!) : ''}
def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pth", default=PTH_PATH)
    parser.add_argument("--epochs", type=int, default=${withData ? 'EPOCHS' : '0'})
    args = parser.parse_args()
    model, checkpoint = load(args.pth)
    print(model)
    for name, tensor in model.state_dict().items():
        print(name, tuple(tensor.shape))
${train}


if __name__ == "__main__":
    main()
`
}
