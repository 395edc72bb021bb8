/**
 * `npm start`: builds the app, then opens the desktop window, or, where it cannot open (no
 * Electron binary, no display), says why in one line and serves the same window through the
 * browser harness, printing its URL.
 *   npm start [-- --browser] [-- --skip-build] [-- --port N]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chooseShell, shellFacts, unavailableLine } from './desktopShell'
import { portOf, readLaunchOptions } from './launchOptions'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const electronVite = join(dirname(createRequire(import.meta.url).resolve('electron-vite/package.json')), 'bin', 'electron-vite.js')

function run(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
  return child
}

const exitCode = (child: ChildProcess) => new Promise<number>((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 0 : 1))))

const values = readLaunchOptions('npm start', { browser: { type: 'boolean', default: false }, 'skip-build': { type: 'boolean', default: false }, port: { type: 'string', default: '0' } })
// checked here too, so a bad port is refused before a build of half a minute
portOf('npm start', values.port)

if (!values['skip-build']) {
  const built = await exitCode(run([electronVite, 'build']))
  if (built !== 0) process.exit(built)
}
const shell = chooseShell(shellFacts(values.browser))
if (shell.kind === 'electron') {
  process.exitCode = await exitCode(run([electronVite, 'preview', '--skipBuild']))
} else {
  process.stdout.write(unavailableLine(shell.reason) + '\n')
  process.exitCode = await exitCode(run(['--import', 'tsx', join(root, 'src/main/web.ts'), '--port', values.port]))
}
