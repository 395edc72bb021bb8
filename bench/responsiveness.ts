/**
 * npm run bench:ui — the window while a 100,000-row training runs, in Chromium through the
 * browser harness: input latency (click to handler), frames a second, the longest frame gap,
 * how often the loss plot redraws; then a 200,000-epoch course run on the dense engine as fast
 * as it goes: click-to-shown latency of Pause and Stop. Targets: latency < 100 ms, ≥ 30 frames
 * a second, Pause and Stop shown within 300 ms.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openLab } from '../tests/helpers/browser'
import { tempDir } from '../tests/helpers/lab'

const ROWS = 100_000
const path = join(tempDir('torchlab-bench-ui-'), 'big.csv')
const lines = ['x1,x2,x3,x4,x5,x6,x7,x8,y']
for (let i = 0; i < ROWS; i++) {
  const x = Array.from({ length: 8 }, (_, j) => Math.sin(i * (j + 1) * 0.001) * 3)
  lines.push([...x.map((v) => v.toFixed(5)), (x.reduce((a, b, j) => a + b * (j - 3), 0) + 0.1 * Math.cos(i)).toFixed(5)].join(','))
}
writeFileSync(path, lines.join('\n'))

const h = await openLab('bench-ui')
const { page } = h
try {
  await page.fill('[data-testid="csv-path"]', path)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  await page.waitForSelector('[data-testid="role-y"]')
  for (let j = 1; j <= 8; j++) await page.selectOption(`[data-testid="role-x${j}"]`, 'feature')
  await page.selectOption('[data-testid="role-y"]', 'target')
  await page.waitForSelector('[data-testid="data-summary"]')
  await page.click('[data-testid="preset-mlp"]')
  await page.fill('[data-testid="units-0"]', '64')
  await page.selectOption('[data-testid="optimizer"]', 'Adam')
  await page.fill('[data-testid="batch-size"]', '32')
  await page.fill('[data-testid="epochs"]', '200')
  await page.fill('[data-testid="lr"]', '0.001')
  // a string, not a function: tsx would wrap named functions in a helper the page does not have
  await page.evaluate(`
    window.latencies = []
    window.gaps = []
    document.addEventListener('pointerdown', (e) => window.latencies.push(performance.now() - e.timeStamp), true)
    let last = performance.now()
    const frame = (t) => { window.gaps.push(t - last); last = t; requestAnimationFrame(frame) }
    requestAnimationFrame(frame)
  `)
  await page.click('[data-testid="start"]')
  await page.waitForSelector('[data-testid="run-status"]:text("running")')
  const draws = async () => Number(await page.getAttribute('[data-testid="loss-plot"]', 'data-draws'))
  const seconds = 8
  const startDraws = await draws()
  const started = Date.now()
  while (Date.now() - started < seconds * 1000) {
    await page.mouse.click(700, 20)
    await page.waitForTimeout(100)
  }
  const elapsed = (Date.now() - started) / 1000
  const fps = ((await draws()) - startDraws) / elapsed
  const { latencies, gaps } = (await page.evaluate('({ latencies: window.latencies, gaps: window.gaps })')) as { latencies: number[]; gaps: number[] }
  const framesPerSecond = gaps.slice(5).length / (gaps.slice(5).reduce((a, b) => a + b, 0) / 1000)
  const sorted = [...latencies].sort((a, b) => a - b)
  const status = await page.textContent('[data-testid="run-status"]')
  console.log(`\nWindow responsiveness while a ${ROWS.toLocaleString()}-row MLP (8-64-1, Adam, batch 32) trains (run status: ${status})`)
  console.log(`  input latency: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, worst ${sorted.at(-1)!.toFixed(1)} ms over ${sorted.length} clicks (target < 100 ms)`)
  console.log(`  frames: ${framesPerSecond.toFixed(1)} a second (target ≥ 30); longest frame gap: ${Math.max(...gaps.slice(5)).toFixed(1)} ms`)
  console.log(`  loss plot redraws: ${fps.toFixed(1)} per second (target ≥ 5)`)
  if (await page.isEnabled('[data-testid="stop"]')) await page.click('[data-testid="stop"]')
  await page.waitForSelector('[data-testid="start"]:not([disabled])')

  await page.getByRole('button', { name: 'Cars (mtcars)' }).click()
  await page.selectOption('[data-testid="role-wt"]', 'feature')
  await page.selectOption('[data-testid="role-mpg"]', 'target')
  await page.click('[data-testid="preset-linear"]')
  await page.fill('[data-testid="epochs"]', '200000')
  await page.selectOption('[data-testid="engine"]', 'dense')
  await page.selectOption('[data-testid="speed"]', { label: 'as fast as possible' })
  await page.waitForSelector('[data-testid="start"]:not([disabled])')
  await page.click('[data-testid="start"]')
  const shownEpoch = async () => Number(/epoch (\d+)/.exec((await page.textContent('[data-testid="progress"]')) ?? '')?.[1] ?? 0)
  while ((await shownEpoch()) < 5_000) await page.waitForTimeout(20)
  // click to the status on screen, watched in the page (a string: see above)
  const clickUntil = (testid: string, expected: string) =>
    page.evaluate(`new Promise((resolve) => {
      const status = document.querySelector('[data-testid="run-status"]')
      const t0 = performance.now()
      const observer = new MutationObserver(() => { if (status.textContent === '${expected}') { observer.disconnect(); resolve(performance.now() - t0) } })
      observer.observe(document.querySelector('[data-testid="progress"]'), { subtree: true, childList: true, characterData: true })
      document.querySelector('[data-testid="${testid}"]').click()
    })`) as Promise<number>
  const pauseMs = await clickUntil('pause', 'paused')
  const atPause = await shownEpoch()
  await page.waitForTimeout(500)
  const still = (await shownEpoch()) === atPause
  await page.click('[data-testid="pause"]')
  while ((await shownEpoch()) <= atPause) await page.waitForTimeout(20)
  const stopMs = await clickUntil('stop', 'stopped')
  console.log(`200,000-epoch course run, dense engine, as fast as possible:`)
  console.log(`  Pause shown ${pauseMs.toFixed(0)} ms after the click, at epoch ${atPause} (${still ? 'held still' : 'MOVED'}); Stop shown ${stopMs.toFixed(0)} ms after the click (target ≤ 300 ms)`)
} finally {
  await h.close()
}
