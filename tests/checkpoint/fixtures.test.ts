import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readPth } from '../../src/main/lab/checkpoint/readPth'
import { describeValue } from '../helpers/describe'

const FIXTURES = resolve(import.meta.dirname, '../../../shared/fixtures/pth')
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.pth'))

describe('shared fixtures written by real PyTorch', () => {
  it('are all here', () => {
    expect(files.length).toBeGreaterThanOrEqual(5)
  })
  for (const file of files.filter((f) => !f.startsWith('malicious'))) {
    it(`${file} opens and equals its JSON description`, () => {
      const expected = JSON.parse(readFileSync(join(FIXTURES, file.replace('.pth', '.json')), 'utf8'))
      const contents = readPth(readFileSync(join(FIXTURES, file)))
      expect(contents.format).toBe(expected.zip_records ? 'zip' : 'legacy')
      expect(describeValue(contents.value)).toEqual(expected.content)
    })
  }
  it('malicious_os_system.pth is refused with the global named, and nothing runs', () => {
    const bytes = readFileSync(join(FIXTURES, 'malicious_os_system.pth'))
    expect(() => readPth(bytes)).toThrow(/this file asks to run posix\.system; TorchLab never runs code from a file/i)
    try {
      readPth(bytes)
    } catch (err) {
      expect(err).toMatchObject({ info: { code: 'CHECKPOINT_UNSAFE', key: 'posix.system' } })
    }
  })
})
