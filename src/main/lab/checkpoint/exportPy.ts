/**
 * The PyTorch script equivalent to a TorchLab model or run. For a run it reproduces the run:
 * TorchLab's seeded split, its batch order (torch's DataLoader's), the scaler fitted on the training rows, the same
 * initial weights, loss and optimizer; then it compares its weights with the run's. Every
 * .pth it reads is a bare state_dict loaded with torch.load(weights_only=True).
 */
import type { TorchlabMeta } from '../../../shared/api'
import type { ModelSpec } from '../../../shared/schemas'
import { lossSpecOf } from '../../../shared/catalog/losses'
import { lossCode, moduleCode, optimizerCode, py } from '../../../shared/pytorchCode'
import { MISSING_CELLS } from '../data/cells'
import { numberCode, ORDERED_SUM_CODE, PANDAS_NAMES_CODE, PY_ENCODING } from '../data/pythonReading'

export interface ExportInput {
  model: ModelSpec
  /** the bare state_dict the script loads: the student's own file, or the one TorchLab wrote beside the script */
  weightsPath: string
  /** for a checkpoint TorchLab saved: its settings, the run's CSV and the run's initial weights (its seed's, or its starting file's) */
  run?: { meta: TorchlabMeta; csvPath: string; initialPath: string }
}

/** TorchLab's generator (data/rng.ts) in Python: 32-bit arithmetic as JavaScript's Math.imul and >>> do it */
const RNG_CODE = `def _imul(a, b):
    return (a * b) & 0xFFFFFFFF


def _splitmix32(x):
    x = (x + 0x9E3779B9) & 0xFFFFFFFF
    x = _imul(x ^ (x >> 16), 0x85EBCA6B)
    x = _imul(x ^ (x >> 13), 0xC2B2AE35)
    return x ^ (x >> 16)


class TorchLabRng:
    """TorchLab's seeded generator (mulberry32 seeded through splitmix32), so that the split and
    the batch order are the run's on every machine; torch's own generator would give others."""

    SPLIT = 2

    def __init__(self, seed, stream):
        self.a = _splitmix32(_splitmix32(seed) ^ _imul(stream + 1, 0x27D4EB2D))

    def random(self):
        self.a = (self.a + 0x6D2B79F5) & 0xFFFFFFFF
        t = _imul(self.a ^ (self.a >> 15), 1 | self.a)
        t = ((t + _imul(t ^ (t >> 7), 61 | t)) & 0xFFFFFFFF) ^ t
        return (t ^ (t >> 14)) / 4294967296

    def permutation(self, n):
        """Fisher-Yates, as TorchLab draws it"""
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = int(self.random() * (i + 1))
            p[i], p[j] = p[j], p[i]
        return p
`

/** a run's columns named "column N" come from a file without a header row */
function hasHeader(meta: TorchlabMeta): boolean {
  const { parse, features, target } = meta.dataset
  if (parse.header !== 'auto') return parse.header === 'yes'
  return ![...features, target].every((name) => /^column \d+$/.test(name))
}

function readCode(meta: TorchlabMeta): string {
  const { dataset, task, classes } = meta
  const header = hasHeader(meta)
  const columns = header
    ? `    names = pandas_names([name.strip() for name in rows.pop(0)])
    # blank lines${dataset.parse.badRows === 'skip' ? ' and rows of another width (the run skipped them)' : ''} are not rows
    rows = [r for r in rows if len(r) == len(names)]
    col = {name: j for j, name in enumerate(names)}`
    : `    # no header row: TorchLab names the columns "column 1", "column 2", …
    width = max(len(r) for r in rows)
    rows = [r for r in rows if len(r) == width]
    col = {f"column {j + 1}": j for j in range(width)}`
  const target =
    task === 'regression'
      ? `    y = [number(r[col[TARGET]]) for r in rows]`
      : `    # class labels, numbered as TorchLab numbered them (sorted; numbers in numeric order)
    labels = {label: i for i, label in enumerate(CLASSES)}
    numeric = {float(label): i for i, label in enumerate(CLASSES) if is_number(label)}

    def class_of(cell):
        cell = cell.strip()
        if cell.lower() in MISSING:
            return math.nan
        return labels[cell] if cell in labels else numeric.get(number(cell), math.nan)

    y = [class_of(r[col[TARGET]]) for r in rows]`
  const keep =
    dataset.missing === 'drop'
      ? `    # rows with a missing value are dropped, as the run dropped them
    keep = [i for i in range(len(rows)) if not math.isnan(y[i]) and not any(math.isnan(v) for v in x[i])]`
      : `    # rows without a target are dropped; missing features are filled with the training mean below
    keep = [i for i in range(len(rows)) if not math.isnan(y[i])]`
  return `FEATURES = ${py(dataset.features)}
TARGET = ${py(dataset.target)}
${classes ? `CLASSES = ${py(classes)}\n` : ''}MISSING = {${MISSING_CELLS.map(py).join(', ')}}


${numberCode(dataset.parse.decimal, dataset.parse.badCells)}


def is_number(cell):
    return not math.isnan(as_number(cell.strip()))


${PANDAS_NAMES_CODE}


${ORDERED_SUM_CODE}


def read_rows(path):
    """the rows of the CSV that the run used: (features, target) in file order"""
    with open(path, newline="", encoding=${py(PY_ENCODING[dataset.parse.encoding])}) as f:
        rows = list(csv.reader(f, delimiter=${py(dataset.parse.delimiter || ',')}))
${columns}
    x = [[number(r[col[c]]) for c in FEATURES] for r in rows]
${target}
${keep}
    return [x[i] for i in keep], [y[i] for i in keep]
`
}

function splitCode(meta: TorchlabMeta): string {
  const { valSplit, splitSeed } = meta.dataset
  if (valSplit === 0) return `    train_rows, val_rows = list(range(len(x))), []`
  return `    # TorchLab's split: a seeded permutation of the rows, the first ${valSplit} of them for validation
    order = TorchLabRng(${splitSeed}, TorchLabRng.SPLIT).permutation(len(x))
    n_val = math.floor(len(x) * ${valSplit} + 0.5)
    val_rows, train_rows = order[:n_val], order[n_val:]`
}

/** fill and scale with training-split statistics only, in float64 as TorchLab does, then float32 */
function prepareCode(meta: TorchlabMeta): string {
  const { missing, scale } = meta.dataset
  const lines: string[] = []
  if (missing === 'mean') {
    lines.push(`    for j in range(len(FEATURES)):
        present = [x[i][j] for i in train_rows if not math.isnan(x[i][j])]
        mean = ordered_sum(present) / len(present)
        for row in x:
            if math.isnan(row[j]):
                row[j] = mean`)
  }
  if (scale === 'standard') {
    lines.push(`    # StandardScaler fitted on the training rows only (population std; a constant column keeps scale 1)
    for j in range(len(FEATURES)):
        values = [x[i][j] for i in train_rows]
        mean = ordered_sum(values) / len(values)
        std = math.sqrt(ordered_sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
        for row in x:
            row[j] = (row[j] - mean) / std`)
  }
  return lines.join('\n')
}

/** how long the run trained: its planned epochs, or where it was stopped */
function trainedFor({ train, stoppedAt }: TorchlabMeta): string {
  if (!stoppedAt) return `${train.epochs} epochs`
  const epochs = `${stoppedAt.epochs} epoch${stoppedAt.epochs === 1 ? '' : 's'}`
  return stoppedAt.steps ? `${epochs} and ${stoppedAt.steps} step${stoppedAt.steps === 1 ? '' : 's'} of the next` : epochs
}

function runCode(meta: TorchlabMeta, hasDropout: boolean): string {
  const { train, task, dataset, stoppedAt } = meta
  const yTensor =
    task === 'multiclass'
      ? `torch.tensor([int(y[i]) for i in rows])`
      : `torch.tensor([[y[i]] for i in rows], dtype=torch.float32)`
  const shuffled = train.shuffle
  const batchCount = train.dropLast ? `len(x_train) // BATCH_SIZE` : `math.ceil(len(x_train) / BATCH_SIZE)`
  const hasVal = dataset.valSplit > 0
  return `${readCode(meta)}

def prepare(path):
    """training and validation tensors, as the run had them"""
    x, y = read_rows(path)
${splitCode(meta)}
${prepareCode(meta)}

    def tensors(rows):
        return torch.tensor([x[i] for i in rows], dtype=torch.float32), ${yTensor}

    return tensors(train_rows), tensors(val_rows)


BATCH_SIZE = ${train.batchSize}
EPOCHS = ${train.epochs}${
    stoppedAt
      ? `
# the run was stopped after ${trainedFor(meta)}: without --epochs the script stops there too
STOPPED_AT = (${stoppedAt.epochs}, ${stoppedAt.steps})`
      : ''
  }
loss_fn = ${lossCode(lossSpecOf(train))}


def train(model, x_train, y_train, x_val, y_val, epochs${stoppedAt ? ', stop=None' : ''}):
    optimizer = ${optimizerCode(train.optimizer)}
${shuffled ? `    # torch's DataLoader order after torch.manual_seed(${train.seed}), its generator kept apart from Dropout's draws, as TorchLab keeps them\n    torch.manual_seed(${train.seed})\n    shuffle_state = torch.get_rng_state()\n` : ''}    batches = ${batchCount}
    for epoch in range(1, epochs + 1):
        model.train()
${shuffled ? `        with torch.random.fork_rng():
            torch.set_rng_state(shuffle_state)
            order = [int(i) for batch in torch.utils.data.DataLoader(range(len(x_train)), batch_size=BATCH_SIZE, shuffle=True) for i in batch]
            shuffle_state = torch.get_rng_state()
` : `        # TorchLab's batch order: the rows in order
        order = list(range(len(x_train)))
`}        total = 0.0
        for b in range(batches):${
          stoppedAt
            ? `
            if (epoch - 1, b) == stop:
                print(f"stopped after ${trainedFor(meta)}, as the run was")
                return model`
            : ''
        }
            rows = torch.tensor(order[b * BATCH_SIZE:(b + 1) * BATCH_SIZE])
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[rows]), y_train[rows])
            loss.backward()
            optimizer.step()
            total += loss.item()
${
  hasVal
    ? `        # eval mode for the validation loss: Dropout passes values through, BatchNorm1d uses its running statistics
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(x_val), y_val).item()
        print(f"epoch {epoch}: loss {total / max(batches, 1):.6f}  validation loss {val_loss:.6f}")`
    : `        print(f"epoch {epoch}: loss {total / max(batches, 1):.6f}")`
}
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", nargs="?", default=CSV_PATH, help="the data (default: the run's file)")
    parser.add_argument("--epochs", type=int${stoppedAt ? ', help="train this many whole epochs (default: as the run, which stopped after ' + trainedFor(meta) + ')"' : ', default=EPOCHS'})
    parser.add_argument("--out", help="save the trained state_dict here")
    args = parser.parse_args()
    (x_train, y_train), (x_val, y_val) = prepare(args.csv)
    print(f"{len(x_train)} training rows, {len(x_val)} validation rows")
    model = load_weights(build_model(), INITIAL_PATH)
    print(model)
    train(model, x_train, y_train, x_val, y_val, ${stoppedAt ? 'EPOCHS if args.epochs is None else args.epochs, STOPPED_AT if args.epochs is None else None' : 'args.epochs'})
    if args.out:
        torch.save(model.state_dict(), args.out)
    saved = load_weights(build_model(), WEIGHTS_PATH).state_dict()
    gap = max((tensor.float() - saved[name].float()).abs().max().item() for name, tensor in model.state_dict().items())
    print(f"largest difference from the weights TorchLab saved after ${trainedFor(meta)}: {gap:.3g}")${
      hasDropout
        ? `
    print("(Dropout draws its masks from torch's generator here and from TorchLab's in the lab, so the runs differ.)")`
        : ''
    }
`
}

const modelOnlyMain = (inFeatures: number) => `def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pth", default=WEIGHTS_PATH, help="a state_dict of this model")
    args = parser.parse_args()
    model = load_weights(build_model(), args.pth)
    print(model)
    for name, tensor in model.state_dict().items():
        print(name, tuple(tensor.shape))
    # eval mode: Dropout passes values through and BatchNorm1d uses its running statistics
    model.eval()
    with torch.no_grad():
        print("output for an input of zeros:", model(torch.zeros(1, ${inFeatures})).tolist())
`

function startedFrom(meta: TorchlabMeta): string {
  const { start } = meta
  if (!start) return `TorchLab's initial weights for seed ${meta.train.seed}`
  // runStart.ts refuses the script of a run started from JSON weights before it is written
  if ('weights' in start) return 'the weights the run started from'
  return `the weights of ${start.file}${start.key ? ` (its ${start.key})` : ''}, where the run started`
}

export function exportPython(input: ExportInput): string {
  const { code, build } = moduleCode(input.model)
  const { run } = input
  const hasDropout = input.model.kind === 'sequential' && input.model.layers.some((l) => l.kind === 'Dropout')
  const doc = run
    ? `"""A TorchLab run, reproduced in PyTorch; generated by TorchLab.

    python3 <this file> [CSV] [--epochs N] [--out FILE.pth]

It starts from ${startedFrom(run.meta)}, trains on the run's training rows in
the run's batches, and compares the result with the weights the run saved.
"""`
    : `"""PyTorch equivalent of a TorchLab model; generated by TorchLab.

    python3 <this file> [--pth FILE]
"""`
  const paths = run
    ? `CSV_PATH = ${py(run.csvPath)}
# ${startedFrom(run.meta)}, written again as a bare state_dict
INITIAL_PATH = ${py(run.initialPath)}
WEIGHTS_PATH = ${py(input.weightsPath)}`
    : `WEIGHTS_PATH = ${py(input.weightsPath)}`
  return `${doc}
import argparse
${run ? 'import collections\nimport csv\nimport math\nimport re\n' : ''}
import torch
from torch import nn

${paths}


${code}

def build_model():
    return ${build}


def load_weights(model, path):
    # weights_only=True: torch.load must never run code a .pth file names
    model.load_state_dict(torch.load(path, weights_only=True))
    return model

${run ? `\n${RNG_CODE}\n\n${runCode(run.meta, hasDropout)}` : `\n${modelOnlyMain(input.model.inFeatures)}`}

if __name__ == "__main__":
    main()
`
}
