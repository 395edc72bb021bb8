import { mount } from 'svelte'
import './app.css'
import { toErrorInfo } from '../../shared/errors'
import { connectBridge } from './lib/bridgeClient'

// In Electron the preload has defined window.lab; in a browser the harness's bridge does.
const target = document.getElementById('app')!
if (!window.lab) {
  try {
    const { wire, host } = await connectBridge()
    window.lab = wire
    window.labHost = host
  } catch (err) {
    // the window cannot work without its lab: a sentence instead of a blank page
    const sentence = document.createElement('p')
    sentence.className = 'error lost'
    sentence.setAttribute('role', 'alert')
    sentence.dataset.testid = 'connection-lost'
    sentence.textContent = toErrorInfo(err).message
    target.append(sentence)
  }
}
if (window.lab) {
  const { default: App } = await import('./App.svelte')
  mount(App, { target })
}
