/**
 * Batch index lists with torch.utils.data.DataLoader's semantics: batches of batch_size in
 * order (or, when shuffling, each epoch in torch's order after torch.manual_seed(seed):
 * torchShuffle.ts), the last short batch kept unless drop_last.
 */
import { TorchShuffle } from './torchShuffle'

export interface LoaderOptions {
  batchSize: number
  shuffle: boolean
  dropLast: boolean
  seed: number
}

export function batchCount(n: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize)
}

export class DataLoader {
  private readonly shuffle: TorchShuffle
  readonly batchesPerEpoch: number
  /**
   * without shuffling every epoch has the same batches: made once, not once an epoch, and at the
   * start, so that an epoch never takes a first-time branch (which throws away a warm thread's
   * optimised loop)
   */
  private readonly inOrder?: Int32Array[]

  constructor(
    readonly size: number,
    private readonly options: LoaderOptions,
  ) {
    this.shuffle = new TorchShuffle(options.seed)
    this.batchesPerEpoch = batchCount(size, options.batchSize, options.dropLast)
    if (!options.shuffle) this.inOrder = this.batchesOf(Int32Array.from({ length: size }, (_, i) => i))
  }

  /** The batches of the next epoch, each a list of row indices (not to be written to). */
  nextEpoch(): Int32Array[] {
    return this.inOrder ?? this.batchesOf(this.shuffle.next(this.size))
  }

  private batchesOf(order: Int32Array): Int32Array[] {
    const batches: Int32Array[] = []
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      const start = b * this.options.batchSize
      batches.push(order.subarray(start, Math.min(start + this.options.batchSize, this.size)))
    }
    return batches
  }
}
