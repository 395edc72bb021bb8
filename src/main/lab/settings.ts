/**
 * Settings that outlive a session (last data set, model and hyperparameters, window bounds,
 * theme): electron-store inside Electron, conf (the same store underneath) in plain Node.
 * Both are checked against settingsSchema, so a hand-edited or stale file cannot break the app.
 */
import { settingsSchema, type Settings, type SettingsPatch } from '../../shared/schemas'

export interface SettingsStore {
  read(): Settings
  update(patch: SettingsPatch): Settings
}

interface KeyValueStore {
  store: Record<string, unknown>
  set(object: Record<string, unknown>): void
  clear(): void
}

async function openBackingStore(cwd: string | undefined): Promise<KeyValueStore> {
  if (process.versions.electron && !cwd) {
    const { default: ElectronStore } = await import('electron-store')
    return new ElectronStore({ name: 'settings' }) as unknown as KeyValueStore
  }
  const { default: Conf } = await import('conf')
  return new Conf({ projectName: 'torchlab', configName: 'settings', ...(cwd ? { cwd } : {}) }) as unknown as KeyValueStore
}

export async function openSettings(cwd?: string): Promise<SettingsStore> {
  const backing = await openBackingStore(cwd)
  const read = (): Settings => {
    const parsed = settingsSchema.safeParse(backing.store)
    return parsed.success ? parsed.data : settingsSchema.parse({})
  }
  return {
    read,
    update(patch) {
      const next = settingsSchema.parse({ ...read(), ...patch })
      backing.clear()
      backing.set(next as Record<string, unknown>)
      return next
    },
  }
}
