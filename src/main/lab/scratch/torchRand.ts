/**
 * `torch.manual_seed(s); torch.rand(...)` on the CPU, bit for bit: torch's CPU generator is a
 * 32-bit Mersenne Twister (mt19937) seeded with the seed, and `uniform_real_distribution` keeps
 * as many random bits as the dtype's mantissa holds — 24 of one draw for float32, 53 of two
 * draws (the first the high word) for float64 (ATen's TransformationHelper.h, CPUGeneratorImpl.cpp).
 * The lecture draws its from-scratch `w` and `b` this way, one value each.
 */
const N = 624
const M = 397

export class TorchGenerator {
  private readonly state = new Uint32Array(N)
  private index = N

  constructor(seed: number) {
    // torch.manual_seed takes the seed modulo 2^64 and mt19937 keeps its low 32 bits
    this.state[0] = seed >>> 0
    for (let i = 1; i < N; i++) {
      const prev = this.state[i - 1] ^ (this.state[i - 1] >>> 30)
      this.state[i] = (Math.imul(1812433253, prev) + i) >>> 0
    }
  }

  private twist(): void {
    const s = this.state
    for (let i = 0; i < N; i++) {
      const y = (s[i] & 0x80000000) | (s[(i + 1) % N] & 0x7fffffff)
      s[i] = s[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)
    }
    this.index = 0
  }

  /** the next 32-bit draw */
  next32(): number {
    if (this.index >= N) this.twist()
    let y = this.state[this.index++]
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /** torch.rand(n) in float32 (values exact in a Float32Array) */
  randFloat32(n: number): Float32Array {
    return Float32Array.from({ length: n }, () => (this.next32() & 0xffffff) / 2 ** 24)
  }

  /** torch.rand(n, dtype=torch.float64) */
  randFloat64(n: number): Float64Array {
    return Float64Array.from({ length: n }, () => {
      const high = this.next32() & 0x1fffff
      const low = this.next32()
      return (high * 2 ** 32 + low) / 2 ** 53
    })
  }
}
