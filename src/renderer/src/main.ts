import { mount } from 'svelte'
import './app.css'
import { connectBridge } from './lib/bridgeClient'

// In Electron the preload has defined window.lab; in a browser the harness's bridge does.
if (!window.lab) {
  const { wire, host } = await connectBridge()
  window.lab = wire
  window.labHost = host
}
const { default: App } = await import('./App.svelte')
mount(App, { target: document.getElementById('app')! })
