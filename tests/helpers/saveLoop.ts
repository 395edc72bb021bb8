/**
 * A process that saves one 100 MB state_dict (a 5000×5000 nn.Linear, ~25M float32 parameters)
 * to one path again and again, as saveRun writes it (encodePth, then atomicWrite), for the
 * kill-during-save test. Every value in it is VALUE, so a reader can tell whose file it holds
 * and that it is whole. With --once it saves once and exits.
 *   node --import tsx tests/helpers/saveLoop.ts PATH VALUE [--once]
 */
import { basename } from 'node:path'
import { PyDict } from '../../src/main/lab/checkpoint/pickle/values'
import { Tensor } from '../../src/main/lab/checkpoint/tensor'
import { encodePth } from '../../src/main/lab/checkpoint/writePth'
import { atomicWrite } from '../../src/main/lab/files/atomicWrite'

const [path, value, once] = [process.argv[2], Number(process.argv[3]), process.argv[4] === '--once']
const SIDE = 5000
const entries = new Map<unknown, Tensor>([
  ['0.weight', new Tensor('float32', [SIDE, SIDE], new Float32Array(SIDE * SIDE).fill(value))],
  ['0.bias', new Tensor('float32', [SIDE], new Float32Array(SIDE).fill(value))],
])
const file = encodePth(new PyDict(entries, 'OrderedDict'), basename(path, '.pth'))

for (let k = 0; ; k++) {
  await atomicWrite(path, file)
  process.stdout.write(`saved ${k + 1}\n`)
  if (once) break
}
