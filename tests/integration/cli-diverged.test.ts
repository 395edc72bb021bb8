/**
 * What `lab train` reports of a run that blew up, in text and in --json alike: the loss that
 * became infinite or NaN as the word the text prints (JSON has no such numbers; null said
 * nothing), and what --out holds: the last sound epoch's weights, or nothing, in one sentence.
 * The saved file is read back by real PyTorch, and blown-up weights that torch wrote are inspected.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { exited, startLab } from '../helpers/cli'
import { tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const settingsDir = tempDir('torchlab-cli-diverged-settings-')
const lab = (args: string[]) => exited(startLab(['train', ...args], { settingsDir }))

/** both reports of one run: the text's lines and the JSON object */
async function bothWays(args: string[]): Promise<{ code: number | null; text: string[]; json: Record<string, unknown> }> {
  const [text, json] = [await lab(args), await lab([...args, '--json'])]
  expect(json.code).toBe(text.code)
  return { code: text.code, text: text.stdout.trim().split('\n'), json: JSON.parse(json.stdout) as Record<string, unknown> }
}

describe('lab train on a run that diverges', () => {
  it('in its first epoch: the infinite loss is "Infinity", and both say nothing was saved', async () => {
    const out = join(tempDir(), 'blown.pth')
    const { code, text, json } = await bothWays(['--lr', '1e30', '--epochs', '5', '--out', out])
    expect(code).toBe(3)
    expect(json.status).toBe('diverged')
    const divergence = json.divergence as { loss: unknown; message: string }
    expect(divergence.loss).toBe('Infinity')
    expect(divergence.message).toMatch(/^The loss became infinite at epoch 1/)
    const note = `Nothing was saved to ${out}: the run diverged in epoch 1, before any epoch ended with sound weights.`
    expect(json.save_note).toBe(note)
    expect(json.saved).toBeNull()
    expect(text).toContain(divergence.message)
    expect(text.at(-1)).toBe(note)
    expect(existsSync(out)).toBe(false)
  })

  it('later: --out holds the last sound epoch, as both say, and torch reads the weights the report printed', async () => {
    const dir = tempDir()
    const out = join(dir, 'sound.pth')
    const { code, text, json } = await bothWays(['--lr', '0.1', '--epochs', '50', '--out', out])
    expect(code).toBe(3)
    const done = json.epochs as number
    const blewUp = (json.divergence as { epoch: number }).epoch
    expect(blewUp).toBe(done + 1)
    const note = `${out} holds the weights after epoch ${done}, the last sound one: the run diverged in epoch ${blewUp}.`
    expect(json.save_note).toBe(note)
    expect(text.slice(-2)).toEqual([`saved ${out} (${(json.saved as { bytes: number }).bytes} bytes)`, note])
    const saved = await python<Record<string, number[][] | number[]>>(
      `import torch\nsd = torch.load(INPUT, weights_only=True)\nprint(json.dumps({k: v.tolist() for k, v in sd.items()}))`,
      out,
    )
    expect(saved).toEqual(json.state_dict)
  })

  it('lab inspect of weights that blew up: the text and the JSON give the same words for NaN and the infinities', async () => {
    const path = join(tempDir(), 'blown.pth')
    await python(`import torch\ntorch.save({'linear.weight': torch.tensor([[float('nan')]]), 'linear.bias': torch.tensor([float('-inf')])}, INPUT)\nprint('null')`, path)
    const [text, json] = [await exited(startLab(['inspect', path, '--values'], { settingsDir })), await exited(startLab(['inspect', path, '--values', '--json'], { settingsDir }))]
    expect([text.code, json.code]).toEqual([0, 0])
    const tensors = (JSON.parse(json.stdout) as { tensors: { key: string; values: unknown[] }[] }).tensors
    expect(tensors.map((t) => [t.key, t.values])).toEqual([
      ['linear.weight', ['NaN']],
      ['linear.bias', ['-Infinity']],
    ])
    expect(text.stdout).toContain('  linear.weight float32 [1, 1] ["NaN"]\n')
    expect(text.stdout).toContain('  linear.bias float32 [1] ["-Infinity"]\n')
  })
})
