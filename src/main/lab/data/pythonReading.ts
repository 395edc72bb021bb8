/**
 * What the exported Python scripts (export-py's run, the search's skorch script) need to read a
 * CSV as TorchLab read it: the file's encoding by Python's name for it, and the header's names
 * as TorchLab and pandas.read_csv give them. One text, so the two scripts cannot disagree.
 */
import type { ParseOptions } from '../../../shared/schemas'
import { NUMBER_LIMIT } from './cells'

export const PY_ENCODING: Record<ParseOptions['encoding'], string> = { 'utf-8': 'utf-8-sig', 'windows-1252': 'cp1252', 'utf-16le': 'utf-16', 'utf-16be': 'utf-16' }

/** needs `import collections` */
export const PANDAS_NAMES_CODE = `def pandas_names(raw):
    """the header's names as TorchLab and pandas.read_csv give them: a blank one is "Unnamed: j", a repeated one gets .1, .2, …"""
    names = [name or f"Unnamed: {j}" for j, name in enumerate(raw)]
    in_header = collections.Counter(names)
    counts = {}
    for i, name in enumerate(names):
        unique, count = name, counts.get(name, 0)
        while count > 0:
            counts[name] = count + 1
            unique = f"{name}.{count}"
            count = count + 1 if unique in in_header else counts.get(unique, 0)
        if unique != name:
            names[i] = unique
            in_header[name] -= 1
            if in_header[name] == 0:
                del in_header[name]
            in_header[unique] += 1
        counts[unique] = count + 1
    return names`


/**
 * needs `import math` and `import re`, and MISSING: `number(cell)` reads a cell as data/cells.ts
 * does (stripped, its decimal mark made a point): NaN when missing, and where TorchLab read no
 * number either NaN (the run read such cells as missing) or a ValueError (it refused them).
 * Python's float() takes more than TorchLab: 1_000, full-width and other Unicode digits, "nan",
 * "infinity" in any case, 1e400.
 */
export function numberCode(decimal: ParseOptions['decimal'], badCells: ParseOptions['badCells']): string {
  return `NUMBER_SHAPE = re.compile(r"[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def as_number(cell):
    """a number as TorchLab reads one (digits, a point, an exponent), else NaN; so is a value of
    2**${Math.log2(NUMBER_LIMIT)} or more, or an infinity, which would overflow a float32 loss"""
    value = float(cell) if NUMBER_SHAPE.fullmatch(cell) else math.nan
    return value if abs(value) < 2.0 ** ${Math.log2(NUMBER_LIMIT)} else math.nan


def number(cell):
    """a cell as TorchLab reads it: NaN when missing${badCells === 'missing' ? ' or not a number (the run read those as missing)' : ''}"""
    cell = cell.strip()${decimal === ',' ? '.replace(",", ".", 1)' : ''}
    if cell.lower() in MISSING:
        return math.nan
    value = as_number(cell)
${badCells === 'missing' ? '' : `    if math.isnan(value):
        raise ValueError(f"{cell!r} is not a number as TorchLab reads one")
`}    return value`
}

/** sums as TorchLab takes its float64 means and deviations: Python 3.12's sum() compensates, so its last bits differ */
export const ORDERED_SUM_CODE = `def ordered_sum(values):
    """added in order, as TorchLab adds (Python 3.12's sum() compensates its rounding)"""
    total = 0.0
    for v in values:
        total += v
    return total`
