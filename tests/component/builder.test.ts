/** The model builder: a layer list edited in the real panel, its validation, and a reload that shows exactly the saved model. */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { afterAll, describe, expect, it } from 'vitest'
import type { ModelArch } from '../../src/shared/schemas'
import { installLab } from '../helpers/componentLab'

const service = installLab()
afterAll(() => service.dispose())
const { app } = await import('../../src/renderer/src/lib/store.svelte')
const { default: ModelPanel } = await import('../../src/renderer/src/panels/ModelPanel.svelte')

const last = (testid: string) => screen.getAllByTestId(testid).at(-1)!

describe('model builder', () => {
  it('counts parameters and writes the PyTorch module as the layers change', async () => {
    app.roles = { wt: 'feature', hp: 'feature', mpg: 'target' }
    render(ModelPanel)
    expect(last('param-count').textContent).toContain('3 parameters')
    await fireEvent.click(last('preset-mlp'))
    await fireEvent.input(last('units-0'), { target: { value: '10' } })
    await waitFor(() => expect(last('param-count').textContent).toContain('41 parameters'))
    await fireEvent.change(last('add-kind'), { target: { value: 'BatchNorm1d' } })
    await fireEvent.click(last('add-layer'))
    // a new layer goes before the output layer the data sizes: BatchNorm1d(10), 20 more parameters (weight and bias of ten features)
    await waitFor(() => expect(last('param-count').textContent).toContain('61 parameters'))
    await fireEvent.click(screen.getAllByLabelText('move layer 2 up').at(-1)!)
    await fireEvent.change(last('layer-kind-2'), { target: { value: 'Dropout' } })
    await fireEvent.input(last('layer-2-p'), { target: { value: '0.25' } })
    await waitFor(() => expect(last('pytorch-code').textContent).toContain('nn.Dropout(p=0.25)'))
    const code = last('pytorch-code').textContent!
    expect(code).toContain('class Model(nn.Sequential)')
    expect(code.indexOf('nn.Linear(2, 10)')).toBeLessThan(code.indexOf('nn.BatchNorm1d(10)'))
    expect(code.indexOf('nn.BatchNorm1d(10)')).toBeLessThan(code.indexOf('nn.Dropout(p=0.25)'))
    expect(code.indexOf('nn.Dropout(p=0.25)')).toBeLessThan(code.indexOf('nn.Linear(10, 1)'))
  })

  it('names each invalid field and layer, and a model whose output does not fit the data', async () => {
    app.arch = { kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 8 }, { kind: 'ReLU' }, { kind: 'Linear' }] }
    render(ModelPanel)
    await fireEvent.input(last('units-0'), { target: { value: '0' } })
    await waitFor(() => expect(last('builder-errors').textContent).toMatch(/layers\[0\]: out_features must be at least 1\./))
    await fireEvent.input(last('units-0'), { target: { value: '8' } })
    await fireEvent.input(last('units-2'), { target: { value: '4' } })
    await waitFor(() => expect(last('builder-errors').textContent).toMatch(/ends with 4 output\(s\), but this data and loss need 1/))
    app.optimizer = { ...app.optimizer, lr: -0.1 }
    app.batchSize = 0
    await waitFor(() => {
      const text = last('builder-errors').textContent
      expect(text).toMatch(/Learning rate must be at least 0\./)
      expect(text).toMatch(/Batch size must be at least 1\./)
    })
  })

  it('shows each optimizer its own fields from the catalogue (Adagrad: lr_decay, initial accumulator)', async () => {
    app.arch = { kind: 'linear' }
    app.batchSize = 2
    render(ModelPanel)
    await fireEvent.change(last('optimizer'), { target: { value: 'Adagrad' } })
    await waitFor(() => expect(last('optimizer-lrDecay')).toBeTruthy())
    expect(app.optimizer).toMatchObject({ name: 'Adagrad', lr: 0.01, lrDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 })
    expect(screen.queryAllByTestId('optimizer-momentum').filter((e) => e.isConnected)).toHaveLength(0)
    await fireEvent.input(last('optimizer-lrDecay'), { target: { value: '0.05' } })
    await waitFor(() => expect(last('pytorch-code').textContent).toContain('torch.optim.Adagrad(model.parameters(), lr=0.01, lr_decay=0.05'))
  })

  it('after a reload shows exactly the saved model, and reads the old {kind: "mlp"} settings as the same layers', async () => {
    const saved: ModelArch = {
      kind: 'sequential',
      layers: [
        { kind: 'Linear', outFeatures: 12 },
        { kind: 'BatchNorm1d', eps: 0.001, momentum: 0.2, affine: false, trackRunningStats: true },
        { kind: 'LeakyReLU', negativeSlope: 0.3 },
        { kind: 'Dropout', p: 0.1 },
        { kind: 'Linear' },
      ],
    }
    await service.updateSettings({ lastModel: saved })
    app.arch = { kind: 'linear' }
    await app.start()
    render(ModelPanel)
    expect($state_snapshot(app.arch)).toEqual(saved)
    expect(saved.kind === 'sequential' && saved.layers.map((_, i) => (last(`layer-kind-${i}`) as HTMLSelectElement).value)).toEqual(['Linear', 'BatchNorm1d', 'LeakyReLU', 'Dropout', 'Linear'])
    expect((last('units-0') as HTMLInputElement).value).toBe('12')
    expect((last('units-4') as HTMLInputElement).value).toBe('')
    expect((last('layer-1-eps') as HTMLInputElement).value).toBe('0.001')
    expect((last('layer-1-momentum') as HTMLInputElement).value).toBe('0.2')
    expect((last('layer-1-affine') as HTMLInputElement).checked).toBe(false)
    expect((last('layer-1-trackRunningStats') as HTMLInputElement).checked).toBe(true)
    expect((last('layer-2-negativeSlope') as HTMLInputElement).value).toBe('0.3')
    expect((last('layer-3-p') as HTMLInputElement).value).toBe('0.1')

    await service.updateSettings({ lastModel: { kind: 'mlp', hidden: [{ units: 5, activation: 'Tanh' }] } })
    await app.start()
    expect($state_snapshot(app.arch)).toEqual({ kind: 'sequential', layers: [{ kind: 'Linear', outFeatures: 5 }, { kind: 'Tanh' }, { kind: 'Linear' }] })
  })
})

/** a plain copy of the store's state, as the window would save it */
function $state_snapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value))
}
