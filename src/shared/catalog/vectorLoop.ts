/**
 * How torch 1.13 splits an elementwise CPU op (cpu_kernel_vec's vectorized_loop, one thread): two
 * AVX2 Vectorized<float>s, 16 values, a step, through the op's vector lambda, then the last numel
 * mod 16 values one at a time through its scalar lambda (basic_loop). The two lambdas round
 * differently where the vector one calls Sleef and the scalar one glibc. Measured here: a tensor
 * of 4015 values takes its first 4000 through the vectors, forward and backward alike.
 */
const VECTOR_SPAN = 16

/** the index where the scalar tail of a contiguous op over `count` values starts */
export function vectorEnd(count: number): number {
  return count - (count % VECTOR_SPAN)
}
