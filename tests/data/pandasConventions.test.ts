/**
 * CSVs as pandas writes them or spreadsheets export them, read by TorchLab and by real
 * pandas.read_csv: a header with a blank name (pandas' own to_csv writes its index under one; a
 * trailing delimiter leaves one) is still a header, and its blank names are pandas' "Unnamed: j";
 * every NA string pandas reads as missing (#N/A, <NA>, -nan, 1.#IND, …) is missing here too.
 * Before, such a header was taken for data, and every column under it became text.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createService, tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const service = createService()
afterAll(() => service.dispose())
const dir = tempDir('torchlab-pandas-csv-')

interface PandasColumn {
  name: string
  missing: number
  mean: number | null
}

async function pandasRead(path: string): Promise<{ rows: number; columns: PandasColumn[] }> {
  return python(
    `
import pandas as pd
d = pd.read_csv(INPUT)
num = lambda c: d[c].dtype.kind in "fi" and d[c].notna().any()
print(json.dumps({"rows": len(d), "columns": [{"name": c, "missing": int(d[c].isna().sum()), "mean": float(d[c].mean()) if num(c) else None} for c in d.columns]}))
`,
    path,
  )
}

async function labRead(path: string): Promise<{ rows: number; columns: PandasColumn[] }> {
  const preview = await service.inspectCsv({ kind: 'file', path }, {})
  return { rows: preview.rowCount, columns: preview.columns.map((c) => ({ name: c.name, missing: c.missing, mean: c.mean ?? null })) }
}

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('a CSV pandas reads', () => {
  it.each([
    ['pandas_index.csv', ',wt,mpg\n0,2.62,21.0\n1,2.875,21.0\n2,2.32,22.8\n'],
    ['trailing_delimiter.csv', 'wt,mpg,\r\n2.62,21.0,\r\n2.875,21.0,\r\n'],
    ['blank_in_middle.csv', 'wt,,mpg\n2.62,1,21.0\n2.875,2,21.0\n'],
  ])('%s has its header, named as pandas names it, over numeric columns', async (name, text) => {
    const path = file(name, text)
    const [lab, pandas] = await Promise.all([labRead(path), pandasRead(path)])
    expect(lab).toEqual(pandas)
  })

  it("reads every NA string pandas' default reads as missing, and the numbers between them", async () => {
    const { na } = await python<{ na: string[] }>('from pandas._libs.parsers import STR_NA_VALUES\nprint(json.dumps({"na": sorted(STR_NA_VALUES)}))')
    expect(na).toContain('#N/A')
    const cells = na.filter((s) => s !== '').flatMap((s, i) => [s, String(i + 0.5)])
    const path = file('na_strings.csv', `x,y\n${cells.map((c, i) => `${c},${i}`).join('\n')}\n`)
    const [lab, pandas] = await Promise.all([labRead(path), pandasRead(path)])
    expect(lab).toEqual(pandas)
    expect(lab.columns[0].missing).toBe(na.length - 1)
  })
})
