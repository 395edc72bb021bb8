/**
 * The browser harness keeps an upload under the name the student's file had, so the window and
 * the exported scripts show "mes données (élève).csv", not "mes_donn_es__l_ve_.csv"; a name that
 * tries to climb out of the uploads folder, or to hide its real ending behind a right-to-left
 * mark, still lands inside it under a name that shows what it is.
 */
import { readFileSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBridge, type Bridge } from '../../src/main/bridge'
import { createService, tempDir } from '../helpers/lab'

const service = createService()
let bridge: Bridge

beforeAll(async () => {
  bridge = await startBridge(service, tempDir('torchlab-renderer-'), { maxUpload: 1024 })
})
afterAll(async () => {
  service.dispose()
  await bridge.close()
})

async function upload(name: string): Promise<string> {
  const url = new URL(bridge.url)
  const response = await fetch(`${url.origin}/upload?token=${url.searchParams.get('token')}&name=${encodeURIComponent(name)}`, { method: 'POST', body: 'wt,mpg\n1,2\n' })
  expect(response.status).toBe(200)
  const { path } = (await response.json()) as { path: string }
  expect(dirname(path)).toBe(bridge.uploads)
  expect(readFileSync(path, 'utf8')).toBe('wt,mpg\n1,2\n')
  // the random prefix that keeps two uploads of one name apart
  return basename(path).replace(/^[0-9a-f]{8}-/, '')
}

describe('an upload keeps its name', () => {
  it('with accents, spaces and parentheses', async () => {
    expect(await upload('mes données (élève) 1.csv')).toBe('mes données (élève) 1.csv')
    expect(await upload('数据.csv')).toBe('数据.csv')
  })

  it('but never a folder above, a control character or a direction mark', async () => {
    expect(await upload('../../etc/passwd')).toBe('passwd')
    expect(await upload('report\u202Ecsv.exe')).toBe('report_csv.exe')
    expect(await upload('a\nb\u0000.csv')).toBe('a_b_.csv')
  })
})
