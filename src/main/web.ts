/**
 * `npm run web` (and `npm start` where Electron's binary is missing): the real renderer in a
 * browser against the real LabService. Prints the URL (with its token).
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { removeUploadsAtExit, startBridge } from './bridge'
import { LabService } from './lab/service'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
// --max-upload-mb: a teacher serving a classroom from one machine keeps its disk for what students need
const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, 'max-upload-mb': { type: 'string', default: '1024' } } })
const maxUploadMb = Number(values['max-upload-mb'])
if (!(maxUploadMb > 0)) {
  process.stderr.write(`--max-upload-mb takes a number of megabytes above 0; "${values['max-upload-mb']}" is not one.\n`)
  process.exit(2)
}
const port = Number(values.port)
if (!(Number.isInteger(port) && port >= 0 && port <= 65535) || values.port.trim() === '') {
  process.stderr.write(`--port takes a port number from 0 to 65535 (0: any free port); "${values.port}" is not one.\n`)
  process.exit(2)
}
const service = new LabService({ resourcesDir: join(root, 'resources'), settingsDir: process.env.TORCHLAB_CONFIG_DIR })
const bridge = await startBridge(service, join(root, 'out', 'renderer'), { port, maxUpload: maxUploadMb * 1024 * 1024 }).catch((err: unknown) => {
  service.dispose()
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
removeUploadsAtExit(bridge)
process.stdout.write(`TorchLab web harness: ${bridge.url}\n`)

const shutdown = (): void => {
  service.dispose()
  void bridge.close().then(() => process.exit(0))
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
