/** erf in double precision, for GELU's derivative dy/dx (torch's own float32 erfs are in geluKernels.ts and glibcKernels.ts) */
function erfc(x: number): number {
  // Numerical Recipes' Chebyshev fit, fractional error below 1.2e-7; used only for |x| ≥ 2.5,
  // where erfc < 4e-4, so erf's absolute error stays under 1e-10
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  return x >= 0 ? r : 2 - r
}

/** erf by its Maclaurin series near 0 (where erfc loses digits) and erfc elsewhere */
export function erf(x: number): number {
  if (Math.abs(x) < 2.5) {
    let sum = x
    let term = x
    const x2 = x * x
    for (let k = 1; k < 80; k++) {
      term *= -x2 / k
      const add = term / (2 * k + 1)
      sum += add
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break
    }
    return (2 / Math.sqrt(Math.PI)) * sum
  }
  return 1 - erfc(x)
}
