/**
 * The predictions CSV TorchLab writes names a stranger's columns and classes: a name or class
 * that a spreadsheet would run as a formula (=cmd|' /C calc'!A0) is written with a leading
 * apostrophe, so the spreadsheet shows it as text; numbers, and texts that are numbers, are
 * written as they are, and pandas reads the file back with the same numbers.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { predictionsCsv } from '../../src/main/lab/predict'
import { parseCsv } from '../../src/main/lab/data/csv'
import { tempDir } from '../helpers/lab'
import { python } from '../helpers/python'

const FORMULA = "=cmd|' /C calc'!A0"
const table = parseCsv(`"${FORMULA.replace(/"/g, '""')}",@x,y\n1.5,2,3\n-2,4,5\n0.25,6,7\n`, {})

describe('a predictions CSV', () => {
  it('writes a column name or class a spreadsheet would run as a formula as text, numbers as they are', async () => {
    const csv = predictionsCsv(table, { features: [FORMULA, '@x'], scaled: false, outputs: [[0.5], [-1.25], [2]], labels: ['+SUM(A1:A9)', '-1', '\tcat'] })
    const lines = csv.split('\n')
    expect(lines[0]).toBe(`'=cmd|' /C calc'!A0,'@x,prediction,label`)
    expect(lines.slice(1)).toEqual(["1.5,2,0.5,'+SUM(A1:A9)", '-2,4,-1.25,-1', "0.25,6,2,'\tcat", ''])
    const path = join(tempDir('torchlab-export-cells-'), 'predictions.csv')
    writeFileSync(path, csv)
    const read = await python<{ columns: string[]; prediction: number[]; label: string[] }>(
      `
import pandas as pd
d = pd.read_csv(INPUT, dtype={"label": str})
print(json.dumps({"columns": list(d.columns), "prediction": d["prediction"].tolist(), "label": d["label"].tolist()}))
`,
      path,
    )
    expect(read).toEqual({ columns: ["'=cmd|' /C calc'!A0", "'@x", 'prediction', 'label'], prediction: [0.5, -1.25, 2], label: ["'+SUM(A1:A9)", '-1', "'\tcat"] })
  })
})
