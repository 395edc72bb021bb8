/**
 * The Files panel opening files in a row, rendered for real against the real LabService: what
 * it shows is the last file the student asked for, whatever order the lab's answers come in.
 */
import { render, screen, waitFor } from '@testing-library/svelte'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { installLab } from '../helpers/componentLab'
import { tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = installLab()
afterAll(() => service.dispose())
const { app } = await import('../../src/renderer/src/lib/store.svelte')
const { default: FilesPanel } = await import('../../src/renderer/src/panels/FilesPanel.svelte')

describe('the Files panel opening files in a row', () => {
  it('shows the file asked for last, not a larger one asked for first whose answer comes after', async () => {
    const dir = tempDir('torchlab-files-')
    const big = join(dir, 'big.pth')
    // 32 MB of torch's tensors: read and checksummed long after a missing file is refused
    await python(
      `import torch\ntorch.save({f'layer{i}.weight': torch.randn(1024, 1024) for i in range(8)}, INPUT)\nprint('null')`,
      big,
    )
    const missing = join(dir, 'nothing.pth')
    const { component } = render(FilesPanel)

    const first = component.open(big)
    await component.open(missing)
    await first
    await waitFor(() => expect(screen.getByTestId('files-error').textContent).toBe(`There is no file at ${missing}.`))
    expect(screen.queryByTestId('files-message')).toBeNull()
    expect(screen.queryByTestId('opened')).toBeNull()
    expect(app.opened).toBeNull()
    expect((screen.getByTestId('open-path') as HTMLInputElement).value).toBe(missing)

    // and the other way round: the good file asked for last is the one shown
    const refused = component.open(missing)
    await component.open(big)
    await refused
    expect(screen.queryByTestId('files-error')).toBeNull()
    expect(screen.getByTestId('files-message').textContent).toBe(`Opened ${big}.`)
    expect(screen.getByTestId('opened-tensors').textContent).toContain('layer7.weight')
  })
})

describe('the Files panel’s Recent list', () => {
  it('drops a file that is no longer there once opening it has said so, and keeps the others', async () => {
    const dir = tempDir('torchlab-recent-')
    const kept = join(dir, 'kept.pth')
    const gone = join(dir, 'gone.pth')
    await python(`import torch\nfor p in INPUT: torch.save({'w': torch.ones(2)}, p)\nprint('null')`, [kept, gone])
    const { component } = render(FilesPanel)
    await component.open(gone)
    await component.open(kept)
    await waitFor(() => expect(screen.getByTestId('recent').textContent).toContain('gone.pth'))
    rmSync(gone)
    await component.open(gone)
    await waitFor(() => expect(screen.getByTestId('files-error').textContent).toBe(`There is no file at ${gone}.`))
    await waitFor(() => expect(screen.getByTestId('recent').textContent).not.toContain('gone.pth'))
    expect(screen.getByTestId('recent').textContent).toContain('kept.pth')
  })
})
