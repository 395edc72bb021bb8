/**
 * What follows a file as it is read, to work on its bytes while the next ones are still being
 * read (checkpoint/recordSums.ts checksums a .pth's records this way). It is told in order and
 * must not throw: whatever it cannot follow, it leaves to whoever reads the bytes afterwards.
 */
export interface ReadFollower {
  /** how many bytes at the end of a file of `size` bytes are read before the rest */
  tailBytes(size: number): number
  /** the file's last tailBytes are in `bytes`; those before are zeros yet */
  tail(bytes: Uint8Array): void
  /** the bytes before `known` are in too */
  known(known: number): void
}
