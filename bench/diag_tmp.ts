import { openLab } from '../tests/helpers/browser'
const h = await openLab('diag')
const { page } = h
try {
  await page.evaluate(`
    window.wslog = []
    const send = WebSocket.prototype.send
    const seen = new WeakSet()
    WebSocket.prototype.send = function (data) {
      if (!seen.has(this)) { seen.add(this); this.addEventListener('message', (m) => window.wslog.push([Math.round(performance.now()), 'in', String(m.data).length, String(m.data).slice(0, 70)])) }
      window.wslog.push([Math.round(performance.now()), 'out', String(data).length, String(data).slice(0, 70)])
      return send.call(this, data)
    }
    window.longtasks = []
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longtasks.push([Math.round(e.startTime), Math.round(e.duration)]) }).observe({ entryTypes: ['longtask'] })
  `)
  await page.getByRole('button', { name: 'Cars (mtcars)' }).click()
  await page.selectOption('[data-testid="role-wt"]', 'feature')
  await page.selectOption('[data-testid="role-mpg"]', 'target')
  await page.click('[data-testid="preset-linear"]')
  await page.fill('[data-testid="epochs"]', '200000')
  await page.selectOption('[data-testid="engine"]', 'dense')
  await page.selectOption('[data-testid="speed"]', { label: 'as fast as possible' })
  await page.click('[data-testid="start"]')
  while (Number(/epoch (\d+)/.exec((await page.textContent('[data-testid="progress"]').catch(() => '')) ?? '')?.[1] ?? 0) < 5000) await page.waitForTimeout(20)
  const r = await page.evaluate(`new Promise((resolve) => {
    const status = document.querySelector('[data-testid="run-status"]')
    const t0 = performance.now()
    const observer = new MutationObserver(() => { if (status.textContent === 'paused') { observer.disconnect(); resolve([Math.round(t0), Math.round(performance.now() - t0)]) } })
    observer.observe(document.querySelector('[data-testid="progress"]'), { subtree: true, childList: true, characterData: true })
    document.querySelector('[data-testid="pause"]').click()
  })`) as [number, number]
  console.log('click at', r[0], 'paused after', r[1])
  const log = await page.evaluate('window.wslog') as [number, string, number, string][]
  for (const l of log.filter((l) => l[0] > r[0] - 400 && l[0] < r[0] + r[1] + 50 && !l[3].includes('"type":"progress"'))) console.log(l.join(' '))
  const lt = await page.evaluate('window.longtasks') as [number, number][]
  console.log('longtasks', lt.filter((l) => l[0] > r[0] - 400 && l[0] < r[0] + r[1] + 50).map((l) => l.join('+')).join(' '))
} finally { await h.close() }
