/**
 * Elementwise pieces of the dense engine, exact to PyTorch's definitions: activations with
 * their derivatives, and erf for nn.GELU's exact form, accurate far beyond float32 so results
 * round as torch's do.
 */
import type { Activation } from '../../../../shared/schemas'

const SQRT1_2 = Math.SQRT1_2
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI)

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

/** out = f(z) in place over n values */
export function activate(kind: Activation, z: Float32Array, out: Float32Array, n: number): void {
  switch (kind) {
    case 'ReLU':
      for (let i = 0; i < n; i++) out[i] = z[i] > 0 ? z[i] : 0
      return
    case 'Sigmoid':
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-z[i]))
      return
    case 'Tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(z[i])
      return
    case 'LeakyReLU':
      for (let i = 0; i < n; i++) out[i] = z[i] > 0 ? z[i] : 0.01 * z[i]
      return
    case 'ELU':
      for (let i = 0; i < n; i++) out[i] = z[i] > 0 ? z[i] : Math.expm1(z[i])
      return
    case 'GELU':
      for (let i = 0; i < n; i++) out[i] = 0.5 * z[i] * (1 + erf(z[i] * SQRT1_2))
      return
  }
}

/** grad *= f'(z), given z and f(z) */
export function activationGrad(kind: Activation, z: Float32Array, a: Float32Array, grad: Float32Array, n: number): void {
  switch (kind) {
    case 'ReLU':
      for (let i = 0; i < n; i++) if (!(z[i] > 0)) grad[i] = 0
      return
    case 'Sigmoid':
      for (let i = 0; i < n; i++) grad[i] *= a[i] * (1 - a[i])
      return
    case 'Tanh':
      for (let i = 0; i < n; i++) grad[i] *= 1 - a[i] * a[i]
      return
    case 'LeakyReLU':
      for (let i = 0; i < n; i++) if (!(z[i] > 0)) grad[i] *= 0.01
      return
    case 'ELU':
      for (let i = 0; i < n; i++) if (!(z[i] > 0)) grad[i] *= a[i] + 1
      return
    case 'GELU':
      for (let i = 0; i < n; i++) {
        const x = z[i]
        grad[i] *= 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x)
      }
      return
  }
}
