/**
 * Errors keep their words in the real window, through the real bridge: a renderer-side refusal
 * (Ctrl+S before any run) and a service error (a file that is not there) each show their own
 * sentence, and the window keeps working afterwards.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useLab } from '../helpers/browser'
import { tempDir } from '../helpers/lab'

const lab = useLab('errors')

describe('errors in the window', () => {
  it('show the renderer’s and the service’s own sentences', async () => {
    const h = lab()
    const { page } = h
    await page.keyboard.press('Control+s')
    await expect.poll(() => page.textContent('[data-testid="files-error"]')).toBe('Train a model first.')

    const missing = join(tempDir('torchlab-e2e-missing-'), 'nothing.pth')
    await page.fill('[data-testid="open-path"]', missing)
    await page.click('[data-testid="open"]')
    await expect.poll(() => page.textContent('[data-testid="files-error"]')).toBe(`There is no file at ${missing}.`)
    await h.shot('1-missing-file')

    // the same socket still serves the window
    await page.fill('[data-testid="open-path"]', join(tempDir('torchlab-e2e-missing-'), 'other.pth'))
    await page.click('[data-testid="open"]')
    await expect.poll(() => page.textContent('[data-testid="files-error"]')).toMatch(/^There is no file at .*other\.pth\.$/)
  })
})
