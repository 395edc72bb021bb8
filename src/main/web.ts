/**
 * `npm run web` (and `npm start` where Electron's binary is missing): the real renderer in a
 * browser against the real LabService. Prints the URL (with its token).
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { removeUploadsAtExit, startBridge } from './bridge'
import { LabService } from './lab/service'
import { portOf, readLaunchOptions, refuse } from './launchOptions'
import { LabError } from '../shared/errors'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const COMMAND = 'npm run web'
// --max-upload-mb: a teacher serving a classroom from one machine keeps its disk for what students need
const values = readLaunchOptions(COMMAND, { port: { type: 'string', default: '0' }, 'max-upload-mb': { type: 'string', default: '1024' } })
const port = portOf(COMMAND, values.port)
const maxUploadMb = Number(values['max-upload-mb'])
if (!(maxUploadMb > 0)) refuse(`${COMMAND}'s --max-upload-mb takes a number of megabytes above 0; "${values['max-upload-mb']}" is not one.`)
const service = new LabService({ resourcesDir: join(root, 'resources'), settingsDir: process.env.TORCHLAB_CONFIG_DIR, spareThread: true })
const bridge = await startBridge(service, join(root, 'out', 'renderer'), { port, maxUpload: maxUploadMb * 1024 * 1024 }).catch((err: unknown) => {
  service.dispose()
  return refuse(err instanceof LabError ? err.message : String(err))
})
removeUploadsAtExit(bridge)
process.stdout.write(`TorchLab web harness: ${bridge.url}\n`)

const shutdown = (): void => {
  service.dispose()
  void bridge.close().then(() => process.exit(0))
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
