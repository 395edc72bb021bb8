/** The Electron shell's origin and file decisions, which run without Electron. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { APP_ENTRY, appFileFor, isOwnPage } from '../../src/main/appProtocol'
import { tempDir } from '../helpers/lab'

describe('isOwnPage', () => {
  it('accepts the app origin exactly', () => {
    for (const url of [APP_ENTRY, 'torchlab://app/', 'torchlab://app/assets/index.js?x=1#y']) expect(isOwnPage(url), url).toBe(true)
  })
  it('refuses look-alikes, files and the web', () => {
    const refused = [
      'torchlab://app.evil/index.html',
      'torchlab://evil/index.html',
      'torchlab://app@evil/index.html',
      'torchlab://user:pw@app/index.html',
      'torchlab://app:8080/index.html',
      'torchlabx://app/index.html',
      'file:///index.html',
      'file:///work/out/renderer/index.html',
      'http://app/index.html',
      'https://pytorch.org/',
      'about:blank',
      'javascript:alert(1)',
      'not a url',
      '',
    ]
    for (const url of refused) expect(isOwnPage(url), url).toBe(false)
  })
  it('in development accepts exactly the dev server’s origin', () => {
    const dev = 'http://localhost:5173'
    expect(isOwnPage('http://localhost:5173/src/main.ts', dev)).toBe(true)
    for (const url of ['http://localhost:51730/', 'http://localhost:5173.evil.com/', 'https://localhost:5173/', 'http://127.0.0.1:5173/', APP_ENTRY]) {
      expect(isOwnPage(url, dev), url).toBe(false)
    }
  })
})

describe('appFileFor', () => {
  const outer = tempDir('torchlab-app-')
  const renderer = join(outer, 'renderer')
  mkdirSync(join(renderer, 'assets'), { recursive: true })
  writeFileSync(join(renderer, 'index.html'), '')
  writeFileSync(join(outer, 'secret.txt'), '')

  it('serves files under the renderer folder', () => {
    expect(appFileFor('torchlab://app/', renderer)).toBe(join(renderer, 'index.html'))
    expect(appFileFor('torchlab://app/assets/index-abc.js', renderer)).toBe(join(renderer, 'assets', 'index-abc.js'))
    expect(appFileFor('torchlab://app/assets/a%20b.css', renderer)).toBe(join(renderer, 'assets', 'a b.css'))
  })
  it('serves nothing beside or above it, and nothing for another origin', () => {
    for (const url of [
      'torchlab://app/../secret.txt',
      'torchlab://app/%2e%2e/secret.txt',
      'torchlab://app/..%2fsecret.txt',
      'torchlab://app/assets/..%2f..%2fsecret.txt',
      'torchlab://app/%00',
      'torchlab://app/%E0%A4%A',
      'torchlab://app.evil/index.html',
      'file:///etc/passwd',
    ]) {
      const file = appFileFor(url, renderer)
      expect(file === null || file.startsWith(renderer + '/'), `${url} -> ${file}`).toBe(true)
      expect(file).not.toBe(join(outer, 'secret.txt'))
    }
    expect(appFileFor('torchlab://app/..%2fsecret.txt', renderer)).toBeNull()
    expect(appFileFor('file:///etc/passwd', renderer)).toBeNull()
  })
})
