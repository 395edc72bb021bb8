/**
 * `--init WEIGHTS.json|FILE.pth [--key PATH]`: where a run (`lab train`, `lab step`) starts. A
 * .json file is read here as {name: nested arrays}; a .pth file is passed on by path, for the
 * lab to read in its sandbox.
 */
import { labError } from '../../shared/errors'
import type { StateDictJson, TrainRequestInput } from '../../shared/schemas'
import { readTextFile } from '../lab/service'

async function readInit(path: string): Promise<StateDictJson> {
  const text = await readTextFile(path, { missing: 'weights file', kind: 'a JSON weights file' })
  try {
    const value: unknown = JSON.parse(text)
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object')
    return value as StateDictJson
  } catch {
    throw labError('INVALID_ARGUMENT', `${path} is not a JSON object of {name: nested arrays}, such as {"linear.weight": [[0.5]], "linear.bias": [0.1]}.`)
  }
}

export async function startingWeights(args: { init?: string; key?: string }): Promise<Pick<TrainRequestInput, 'init' | 'initFrom' | 'initKey'>> {
  const isJson = args.init !== undefined && args.init.toLowerCase().endsWith('.json')
  if (args.key !== undefined && (args.init === undefined || isJson)) throw labError('INVALID_ARGUMENT', '--key picks a state_dict inside a .pth file: use it with --init FILE.pth.')
  if (args.init === undefined) return {}
  if (isJson) return { init: await readInit(args.init) }
  return { initFrom: args.init, ...(args.key !== undefined ? { initKey: args.key } : {}) }
}
