/**
 * Work bounded by the file's real size. A pickle can name a billion values in a kilobyte
 * (shared references, views of one storage, stride-0 views, deflate bombs); every place that
 * expands what the file holds spends from one budget per read, and a file that would need
 * more than any real checkpoint of its size is refused with the budget named — before the
 * memory is taken, not after.
 */
import { labError } from '../../../shared/errors'

export interface Limits {
  /** bytes of tensor values made from storages, all tensors together */
  tensorBytes: number
  /** bytes inflated from deflated zip records, all records together */
  inflatedBytes: number
  /** values produced when a shared structure is written out (JSON, listings) */
  expandedValues: number
  /** characters of tuple dict keys written out, all keys together */
  keyChars: number
}

export type BudgetName = keyof Limits

const MB = 1024 * 1024

/**
 * A real checkpoint's tensors hold about as many bytes as its storages (float16 doubles when
 * decoded, a few views add a little); torch never deflates, and zip's best ratio on real
 * weights is far below 16:1 except on zeros, which the fixed allowance covers.
 */
export function limitsFor(fileBytes: number): Limits {
  return {
    tensorBytes: 64 * MB + 4 * fileBytes,
    inflatedBytes: 64 * MB + 16 * fileBytes,
    // a value the file does not share costs it at least a byte; 20,000 covers any metadata or module tree
    expandedValues: 20_000 + fileBytes,
    keyChars: MB + fileBytes,
  }
}

const WHAT: Record<BudgetName, string> = {
  tensorBytes: "of tensor values (TorchLab's tensor budget)",
  inflatedBytes: "once decompressed (TorchLab's decompression budget)",
  expandedValues: "values once its shared parts are written out (TorchLab's value budget)",
  keyChars: "characters of dictionary keys (TorchLab's key budget)",
}

function amount(name: BudgetName, n: number): string {
  return name === 'expandedValues' || name === 'keyChars' ? n.toLocaleString('en') : `${Math.ceil(n / MB).toLocaleString('en')} MB`
}

export class Budget {
  private readonly spent: Limits = { tensorBytes: 0, inflatedBytes: 0, expandedValues: 0, keyChars: 0 }

  constructor(
    readonly limits: Limits,
    private readonly fileBytes: number,
  ) {}

  static forFile(fileBytes: number): Budget {
    return new Budget(limitsFor(fileBytes), fileBytes)
  }

  /** takes `n` from the named budget, or refuses the file naming the budget it would exceed */
  spend(name: BudgetName, n: number): void {
    const total = this.spent[name] + n
    if (!(total <= this.limits[name])) {
      const size = this.fileBytes < MB ? `${Math.ceil(this.fileBytes / 1024)} KB` : `${Math.ceil(this.fileBytes / MB)} MB`
      throw labError(
        'CHECKPOINT_UNSAFE',
        `This ${size} file would expand to more than ${amount(name, this.limits[name])} ${WHAT[name]}; no real checkpoint of its size does, so TorchLab refuses it.`,
      )
    }
    this.spent[name] = total
  }
}
