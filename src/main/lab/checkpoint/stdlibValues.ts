/**
 * Values of Python's standard library a training script saves beside its weights, which
 * torch.load(weights_only=False) reads and TorchLab refused whole as code: a
 * collections.defaultdict (per-epoch histories), a complex number, a zoneinfo.ZoneInfo time zone
 * (datetime.now(ZoneInfo(...))). Each is read from its pickled arguments as CPython's __reduce__
 * writes them, calling nothing: a defaultdict's factory is never called, a ZoneInfo never opens
 * the system's time zone files.
 */
import { labError } from '../../../shared/errors'
import { badFile } from './errors'
import type { KnownCallable } from './pickle/unpickler'
import { ClassRef, PyDict, type PyValue } from './pickle/values'
import { PyReprValue } from './reprValue'
import { pyFloat, quoted } from './valueTree'

/** a part of a complex as CPython's complex repr writes it ('r' format without a forced '.0') */
function part(x: number): string {
  return pyFloat(x).replace(/\.0$/, '')
}

/** complex(real, imag), as CPython's complex_repr shows it: 2j, (1+2j), (-0-1j), (1+nanj) */
export function complexValue(args: PyValue[]): PyReprValue {
  const [re, im] = [args[0] ?? 0, args[1] ?? 0]
  if (args.length > 2 || typeof re !== 'number' || typeof im !== 'number') throw badFile('A complex number in the file is not made of two floats.')
  if (re === 0 && !Object.is(re, -0)) return new PyReprValue('complex', `${part(im)}j`)
  const sign = im < 0 || Object.is(im, -0) ? '' : '+'
  return new PyReprValue('complex', `(${part(re)}${sign}${part(im)}j)`)
}

/**
 * defaultdict(factory) and defaultdict(): filled afterwards by SETITEMS as pickle writes it.
 * The factory is only a name here (list, int, a class): it is never called.
 */
export function defaultDict(args: PyValue[]): PyDict {
  if (args.length > 1) throw badFile('A collections.defaultdict in the file is made with more than one argument.')
  return new PyDict(new Map(), 'defaultdict')
}

/** IANA names (Europe/Paris, Etc/GMT+5, UTC): anything else is no zone CPython finds, or damage */
const ZONE_KEY = /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/

const ZONE_UNPICKLE: KnownCallable = {
  qualified: 'zoneinfo.ZoneInfo._unpickle',
  // ZoneInfo._unpickle(key, from_cache): a zone known by its key, never read from disk here
  call(args) {
    const [key, fromCache] = args
    if (args.length !== 2 || typeof key !== 'string' || key.length > 255 || !ZONE_KEY.test(key) || !(fromCache === 0 || fromCache === 1 || typeof fromCache === 'boolean')) {
      throw badFile('A zoneinfo.ZoneInfo time zone in the file has no readable zone name.')
    }
    return new PyReprValue('zoneinfo.ZoneInfo', `zoneinfo.ZoneInfo(key=${quoted(key)})`)
  },
}

/**
 * getattr(zoneinfo.ZoneInfo, '_unpickle'), how pickle reaches the classmethod a ZoneInfo reduces
 * to, and nothing else: getattr on anything else is how a pickle reaches code, and is refused.
 */
export function zoneGetattr(args: PyValue[]): KnownCallable {
  const [target, name] = args
  if (args.length === 2 && target instanceof ClassRef && target.qualified === 'zoneinfo.ZoneInfo' && name === '_unpickle') return ZONE_UNPICKLE
  const what = `builtins.getattr(${target instanceof ClassRef ? target.qualified : 'a value'}, ${typeof name === 'string' ? quoted(name.slice(0, 40)) : 'a value'})`
  throw labError('CHECKPOINT_UNSAFE', `This file asks to run ${what}; TorchLab never runs code from a file.`, { key: 'builtins.getattr' })
}
