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
/** the type the wizard gives a column, as its table shows it */
const typeOf = (column: string) => screen.getByTestId(`type-${column}`).textContent

describe('import wizard parse options', () => {
  it('detects the delimiter and the decimal comma, and re-reads the file when the decimal mark and header options change', async () => {
    const path = join(tempDir(), 'prices.csv')
    writeFileSync(path, 'size;price\n1,5;10,25\n2,0;12,5\n3,5;17,75\n')
    app.datasets = await (await import('../../src/renderer/src/lib/lab')).lab.listDatasets()
    render(DataPanel)
    await fireEvent.input(screen.getByTestId('csv-path'), { target: { value: path } })
    await fireEvent.click(screen.getByRole('button', { name: 'Open' }))
    await waitFor(() => expect(screen.getByTestId('preview-info').textContent).toContain('delimiter “;” · decimal mark “,”'))
    expect(screen.getByTestId('preview-notes').textContent).toContain('Decimal mark: a comma, detected from cells such as "1,5".')
    expect(typeOf('price')).toBe('numeric')

    await fireEvent.change(screen.getByTestId('decimal'), { target: { value: '.' } })
    await waitFor(() => expect(typeOf('price')).not.toBe('numeric'))
    expect(screen.getByTestId('note-price').textContent).toBe('text because line 2 holds "10,25".')

    await fireEvent.change(screen.getByTestId('header'), { target: { value: 'no' } })
    await waitFor(() => expect(screen.getByTestId('preview-info').textContent).toContain('4 rows'))
    expect(screen.getByTestId('role-column 1')).toBeTruthy()
  })

  it('shows a ragged file with its line, and skips the row when asked', async () => {
    const path = join(tempDir(), 'ragged.csv')
    writeFileSync(path, 'wt,mpg\n2.6,21\n2.9\n3.2,22.8\n3.4,19\n')
    app.parse = { ...app.parse, decimal: '', header: 'auto' }
    render(DataPanel)
    await fireEvent.input(screen.getAllByTestId('csv-path')[0], { target: { value: path } })
    await fireEvent.click(screen.getAllByRole('button', { name: 'Open' })[0])
    await waitFor(() => expect(screen.getByTestId('problem-rows').textContent).toContain('Line 3 has 1 value but the header has 2'))
    expect(screen.getByTestId('preview-info').textContent).toContain('3 rows')
    await fireEvent.click(screen.getByRole('button', { name: 'Skip these rows (1)' }))
    await waitFor(() => expect(screen.getByTestId('problem-rows').textContent).toContain('Skipped 1 row that does not have 2 values: line 3.'))
    expect(screen.queryByTestId('problem-rows-accept')).toBeNull()
    expect((screen.getByTestId('bad-rows') as HTMLSelectElement).value).toBe('skip')
  })

  it('says why a column is text and reads its stray cells as missing when asked', async () => {
    const path = join(tempDir(), 'stray.csv')
    writeFileSync(path, 'wt,mpg\n2.6,21\n2.9,twenty\n3.2,22.8\n3.4,n.a.\n')
    render(DataPanel)
    await fireEvent.input(screen.getAllByTestId('csv-path')[0], { target: { value: path } })
    await fireEvent.click(screen.getAllByRole('button', { name: 'Open' })[0])
    await waitFor(() => expect(screen.getByTestId('problem-cells').textContent).toContain('Column "mpg" is read as text because line 3 holds "twenty" (2 cells are not numbers).'))
    await fireEvent.click(screen.getByRole('button', { name: 'Treat as missing (2 cells)' }))
    await waitFor(() => expect(typeOf('mpg')).toBe('numeric'))
    expect(screen.getByTestId('note-mpg').textContent).toBe('2 cells read as missing, the first on line 3: "twenty".')
  })

  it('shows a file that cannot be read as a message, not a crash', async () => {
    render(DataPanel)
    await fireEvent.input(screen.getAllByTestId('csv-path')[0], { target: { value: '/no/such/file.csv' } })
    await fireEvent.click(screen.getAllByRole('button', { name: 'Open' })[0])
    await waitFor(() => expect(screen.getAllByTestId('data-error')[0].textContent).toMatch(/no file at \/no\/such\/file.csv/))
  })
})
