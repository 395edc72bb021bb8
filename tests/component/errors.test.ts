/**
 * Errors keep their words on the way to the student: the Files panel, rendered for real against
 * the real LabService (dispatch as the transport), shows each failure's own sentence.
 */
import { render, screen, waitFor } from '@testing-library/svelte'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { installLab } from '../helpers/componentLab'
import { tempDir } from '../helpers/lab'

const service = installLab()
afterAll(() => service.dispose())
const { default: FilesPanel } = await import('../../src/renderer/src/panels/FilesPanel.svelte')

describe('the Files panel says what went wrong', () => {
  it('asks for a model before saving (a renderer-side error)', async () => {
    const { component } = render(FilesPanel)
    await component.save()
    await waitFor(() => expect(screen.getByTestId('files-error').textContent).toBe('Train a model first.'))
  })

  it('asks for a file before exporting', async () => {
    const { component } = render(FilesPanel)
    await component.exportScript()
    await waitFor(() => expect(screen.getAllByTestId('files-error').at(-1)!.textContent).toBe('Open or save a .pth first.'))
  })

  it('shows the service’s sentence for a file that is not there', async () => {
    const missing = join(tempDir('torchlab-missing-'), 'nothing.pth')
    const { component } = render(FilesPanel)
    await component.open(missing)
    await waitFor(() => expect(screen.getAllByTestId('files-error').at(-1)!.textContent).toBe(`There is no file at ${missing}.`))
  })
})
