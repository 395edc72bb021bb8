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

/** floats in one AVX2 Vectorized<float> */
const LANES = 8
/** reduceAllSum's lanes, reused: a row's sum allocates nothing */
const REDUCE_LANES = new Float64Array(LANES)

/**
 * The float32 sum of `count` values from `start` as torch 1.13's vec::reduce_all and
 * map_reduce_all add a softmax row on this CPU: a row narrower than a vector left to right (each
 * lane of one partial load added to lane 0 in turn); a wider one in 8 lanes (the last partial
 * vector into its first lanes), which the AVX2 vec_reduce_all then folds by shuffles as
 * (l0 + l4) + (l2 + l6) + ((l1 + l5) + (l3 + l7)).
 */
export function reduceAllSum(values: ArrayLike<number>, start: number, count: number): number {
  const f = Math.fround
  if (count < LANES) {
    let sum = values[start]
    for (let j = 1; j < count; j++) sum = f(sum + values[start + j])
    return sum
  }
  const lanes = REDUCE_LANES
  for (let l = 0; l < LANES; l++) lanes[l] = values[start + l]
  for (let j = LANES; j < count; j++) lanes[j % LANES] = f(lanes[j % LANES] + values[start + j])
  return f(f(f(lanes[0] + lanes[4]) + f(lanes[2] + lanes[6])) + f(f(lanes[1] + lanes[5]) + f(lanes[3] + lanes[7])))
}
