/** The model builder's validation and live summary, rendered with the real panel. */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { afterAll, describe, expect, it } from 'vitest'
import { installLab } from '../helpers/componentLab'

const service = installLab()
afterAll(() => service.dispose())
const { app } = await import('../../src/renderer/src/lib/store.svelte')
const { default: ModelPanel } = await import('../../src/renderer/src/panels/ModelPanel.svelte')

describe('model builder', () => {
  it('counts parameters and writes the PyTorch module as the layers change', async () => {
    app.roles = { wt: 'feature', hp: 'feature', mpg: 'target' }
    render(ModelPanel)
    expect(screen.getByTestId('param-count').textContent).toContain('3 parameters')
    await fireEvent.click(screen.getByTestId('preset-mlp'))
    await fireEvent.input(screen.getByTestId('units-0'), { target: { value: '10' } })
    await waitFor(() => expect(screen.getByTestId('param-count').textContent).toContain('41 parameters'))
    await fireEvent.click(screen.getByTestId('add-layer'))
    await waitFor(() => expect(screen.getByTestId('pytorch-code').textContent).toContain('nn.Linear(10, 16)'))
    expect(screen.getByTestId('pytorch-code').textContent).toContain('class MLP(nn.Sequential)')
  })

  it('names each invalid field and layer', async () => {
    render(ModelPanel)
    const units = screen.getAllByTestId('units-0').at(-1)!
    await fireEvent.input(units, { target: { value: '0' } })
    await waitFor(() => expect(screen.getAllByTestId('builder-errors').at(-1)!.textContent).toMatch(/Layer 1: Units/))
    app.optimizer.lr = -0.1
    app.batchSize = 0
    await waitFor(() => {
      const text = screen.getAllByTestId('builder-errors').at(-1)!.textContent
      expect(text).toMatch(/Learning rate/)
      expect(text).toMatch(/Batch size — Batch size must be at least 1/)
    })
  })
})
