/**
 * glibc's logf (e_logf.c), which torch 1.13's BCELoss kernel calls as std::log on a float, against
 * Debian's libm itself through ctypes: uniform probabilities, values near 1, large values,
 * subnormals and the special values.
 */
import { describe, expect, it } from 'vitest'
import { glibcLogf } from '../../src/shared/catalog/glibcKernels'
import { float32Stream } from '../helpers/float32Stream'
import { python } from '../helpers/python'

describe("glibc's logf", () => {
  it("equals libm's logf bit for bit on 120,000 float32s, where a correctly rounded log differs on hundreds", async () => {
    const next = float32Stream(77)
    const u = () => (next() + 1) / 2
    const xs = [
      ...Array.from({ length: 60_000 }, () => Math.fround(u())),
      ...Array.from({ length: 20_000 }, () => Math.fround(1 + (u() - 0.5) * 1e-4)),
      ...Array.from({ length: 20_000 }, () => Math.fround(u() * 3e38)),
      ...Array.from({ length: 20_000 }, () => Math.fround(u() * 2 ** -126)),
      2 ** -149,
      1,
      Math.fround(1 - 2 ** -24),
      1 + 2 ** -23,
      2,
      0.5,
    ]
    const libm = await python<(number | string)[]>(
      `
import ctypes
m = ctypes.CDLL('libm.so.6')
m.logf.restype = ctypes.c_float
m.logf.argtypes = [ctypes.c_float]
print(json.dumps([repr(m.logf(x)) for x in INPUT]))
`,
      xs,
    )
    const differ = xs.flatMap((x, i) =>
      glibcLogf(x) === Number(libm[i]) ? [] : [`logf(${x}): ${glibcLogf(x)} where libm gives ${libm[i]}`],
    )
    expect(differ.slice(0, 10)).toEqual([])
    // the port is needed: a float32-rounded Math.log misses libm here
    expect(xs.filter((x, i) => Math.fround(Math.log(x)) !== Number(libm[i])).length).toBeGreaterThan(100)
    expect([glibcLogf(0), glibcLogf(-0), glibcLogf(-1), glibcLogf(Infinity), glibcLogf(NaN)]).toEqual([
      -Infinity,
      -Infinity,
      NaN,
      Infinity,
      NaN,
    ])
  })
})
