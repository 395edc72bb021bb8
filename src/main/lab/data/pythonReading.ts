/**
 * What the exported Python scripts (export-py's run, the search's skorch script) need to read a
 * CSV as TorchLab read it: the file's encoding by Python's name for it, and the header's names
 * as TorchLab and pandas.read_csv give them. One text, so the two scripts cannot disagree.
 */
import type { ParseOptions } from '../../../shared/schemas'

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
