/** The import wizard's parse options, rendered with the real panel and the real LabService. */
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { installLab } from '../helpers/componentLab'
import { tempDir } from '../helpers/lab'

const service = installLab()
afterAll(() => service.dispose())
const { app } = await import('../../src/renderer/src/lib/store.svelte')
const { default: DataPanel } = await import('../../src/renderer/src/panels/DataPanel.svelte')

describe('import wizard parse options', () => {
  it('detects the delimiter, and re-reads the file when the decimal mark and header options change', async () => {
    const path = join(tempDir(), 'prices.csv')
    writeFileSync(path, 'size;price\n1,5;10,25\n2,0;12,5\n3,5;17,75\n')
    app.datasets = await (await import('../../src/renderer/src/lib/lab')).lab.listDatasets()
    render(DataPanel)
    await fireEvent.input(screen.getByTestId('csv-path'), { target: { value: path } })
    await fireEvent.click(screen.getByRole('button', { name: 'Open' }))
    await waitFor(() => expect(screen.getByTestId('preview-info').textContent).toContain('delimiter “;”'))
    const typeOf = (column: string) => screen.getByTestId(`role-${column}`).closest('tr')!.children[1].textContent
    expect(typeOf('price')).not.toBe('numeric')

    await fireEvent.change(screen.getByTestId('decimal'), { target: { value: ',' } })
    await waitFor(() => expect(typeOf('price')).toBe('numeric'))

    await fireEvent.change(screen.getByTestId('header'), { target: { value: 'no' } })
    await waitFor(() => expect(screen.getByTestId('preview-info').textContent).toContain('4 rows'))
    expect(screen.getByTestId('role-column 1')).toBeTruthy()
  })

  it('shows a file that cannot be read as a message, not a crash', async () => {
    render(DataPanel)
    await fireEvent.input(screen.getAllByTestId('csv-path')[0], { target: { value: '/no/such/file.csv' } })
    await fireEvent.click(screen.getAllByRole('button', { name: 'Open' })[0])
    await waitFor(() => expect(screen.getAllByTestId('data-error')[0].textContent).toMatch(/no file at \/no\/such\/file.csv/))
  })
})
