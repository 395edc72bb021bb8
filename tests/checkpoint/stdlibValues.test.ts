/**
 * A checkpoint holding Python's own values beside its weights — a collections.defaultdict of
 * per-epoch histories, complex numbers, a zoneinfo.ZoneInfo time zone (datetime.now(ZoneInfo(…)))
 * — which torch.load(weights_only=False) reads and weights_only=True refuses. TorchLab refused the
 * whole file as code ("asks to run collections.defaultdict"); it now reads each from its pickled
 * arguments, calling nothing, and shows it as torch.load's repr shows it. getattr reaches
 * ZoneInfo's unpickler only: on anything else it is refused by name.
 */
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CheckpointInfo } from '../../src/shared/api'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-stdlib-')
const files = { p2: join(dir, 'p2.pth'), p4: join(dir, 'p4.pth') }

const SAVE = `
import collections, datetime as dt, math, torch, zoneinfo
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 1))
history = collections.defaultdict(list); history["loss"] += [0.5, 0.25]; history["r2"].append(0.75)
values = {
    "history": history,
    "counts": collections.defaultdict(int, {"epochs": 3}),
    "bare": collections.defaultdict(None),
    "z": complex(1, 2), "imaginary": 2j, "zero": 0j, "negzero": complex(-0.0, -0.0), "half": complex(1.5, -0.25),
    "big": complex(1e16, 1e-5), "nan": complex(1, math.nan), "inf": complex(-math.inf, math.inf),
    "zone": zoneinfo.ZoneInfo("Europe/Paris"),
    "saved_at": dt.datetime(2026, 11, 29, 4, 40, 5, tzinfo=zoneinfo.ZoneInfo("UTC")),
}
refused = {}
for name, protocol in [("p2", 2), ("p4", 4)]:
    torch.save({"model_state_dict": model.state_dict(), **values}, INPUT[name], pickle_protocol=protocol)
    try:
        torch.load(INPUT[name], weights_only=True); refused[name] = None
    except Exception as e:
        refused[name] = str(e)[:200]
loaded = torch.load(INPUT["p2"], weights_only=False)
def shown(v):
    if isinstance(v, collections.defaultdict): return {k: [repr(x) for x in (w if isinstance(w, list) else [w])] for k, w in v.items()}
    return repr(v)
print(json.dumps({"values": {k: shown(loaded[k]) for k in values}, "refused": refused}))
`

type Shown = string | Record<string, string[]>

function ours(info: CheckpointInfo, key: string): Shown | undefined {
  const node = info.tree.find((n) => n.path === key)
  if (node?.type !== 'defaultdict') return node?.summary
  const inside = info.tree.filter((n) => n.path.startsWith(`${key}.`) && n.path.split('.').length === 2)
  return Object.fromEntries(
    inside.map((n) => [n.name, n.type === 'list' ? info.tree.filter((c) => c.path.startsWith(`${n.path}.`)).map((c) => c.summary) : [n.summary]]),
  )
}

describe("Python's defaultdict, complex and zoneinfo values in a checkpoint", () => {
  let torch: { values: Record<string, Shown>; refused: Record<string, string | null> }
  beforeAll(async () => {
    torch = await python(SAVE, files)
  })

  it.each(Object.keys(files) as (keyof typeof files)[])('are read as torch.load gives them, with the weights beside them (protocol %s)', async (name) => {
    const info = (await service.openCheckpoint(files[name], { values: true })) as CheckpointInfo
    expect(info.tensors.map((t) => t.key)).toEqual(['0.weight', '0.bias'])
    expect(Object.fromEntries(Object.keys(torch.values).map((key) => [key, ours(info, key)]))).toEqual(torch.values)
  })

  it('are data torch 1.13 refuses with weights_only=True: the file exports with its weights written again beside the script', async () => {
    expect(torch.refused.p2).toBeTruthy()
    const result = await service.exportPython({ checkpoint: files.p2, out: join(dir, 'p2.py') })
    expect(result.written?.[0]).toMatch(/p2\.weights\.pth$/)
    const reloaded = await python<Record<string, number[]>>(`import torch\nprint(json.dumps({k: v.reshape(-1).tolist() for k, v in torch.load(INPUT, weights_only=True).items()}))`, result.written![0])
    const info = (await service.openCheckpoint(files.p2, { values: true })) as CheckpointInfo
    expect(reloaded).toEqual(Object.fromEntries(info.tensors.map((t) => [t.key, t.values])))
  })

  it("getattr on anything but ZoneInfo's unpickler is refused by name, and a ZoneInfo with no zone name as damage", async () => {
    // protocol 2 by hand: {'x': getattr(torch.nn.Linear, 'forward')}, then a ZoneInfo whose key is a number
    const glob = (m: string, n: string) => Buffer.from(`c${m}\n${n}\n`)
    const str = (s: string) => Buffer.concat([Buffer.from([0x58]), Buffer.from(Uint32Array.of(s.length).buffer), Buffer.from(s)])
    const pickle = (...parts: Buffer[]) => Buffer.concat([Buffer.from([0x80, 2]), Buffer.from('}'), str('x'), ...parts, Buffer.from('s.')])
    const getattr = (target: Buffer, name: string) => Buffer.concat([glob('__builtin__', 'getattr'), target, str(name), Buffer.from([0x86, 0x52])])
    const cases = {
      method: pickle(getattr(glob('torch.nn.modules.linear', 'Linear'), 'forward')),
      zone: pickle(getattr(glob('zoneinfo', 'ZoneInfo'), '_unpickle'), Buffer.from([0x4b, 7, 0x4b, 1, 0x86, 0x52])),
    }
    const paths = Object.fromEntries(Object.keys(cases).map((name) => [name, join(dir, `${name}.pkl`)]))
    for (const [name, bytes] of Object.entries(cases)) writeFileSync(paths[name], bytes)
    const torchSays = await python<Record<string, string>>(
      `import torch, pickle\nout = {}\nfor k, p in INPUT.items():\n  try: out[k] = repr(pickle.load(open(p, "rb")))\n  except Exception as e: out[k] = type(e).__name__\nprint(json.dumps(out))`,
      paths,
    )
    expect(torchSays.method).toMatch(/function Linear\.forward/)
    expect(torchSays.zone).toBe('TypeError')
    await expect(service.openCheckpoint(paths.method, {})).rejects.toThrow("This file asks to run builtins.getattr(torch.nn.modules.linear.Linear, 'forward'); TorchLab never runs code from a file.")
    await expect(service.openCheckpoint(paths.zone, {})).rejects.toThrow('A zoneinfo.ZoneInfo time zone in the file has no readable zone name.')
  })
})
