/**
 * Settings that outlive a session (last data set, model, hyperparameters, engine, pace and
 * search grid, window bounds, theme, recent files): electron-store inside Electron, conf (the
 * same store underneath) in plain Node. Each entry is checked on its own against the schema,
 * so a hand-edited or stale entry (say, a model saved by an older version) is dropped alone
 * and never takes the theme or the recent files with it; a key inside an entry that this
 * version no longer has is left out with a note, and the rest of the entry kept.
 */
import { readStored } from '../../shared/issueSentence'
import { settingFields, settingsSchema, type Settings, type SettingsPatch } from '../../shared/schemas'

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

/** `note` hears, once each, what an older TorchLab saved that this one leaves out */
export async function openSettings(cwd: string | undefined, note: (sentence: string) => void): Promise<SettingsStore> {
  const backing = await openBackingStore(cwd)
  const told = new Set<string>()
  const tell = (sentence: string): void => {
    if (told.has(sentence)) return
    told.add(sentence)
    note(sentence)
  }
  const read = (): Settings => {
    const stored = backing.store
    for (const key of Object.keys(stored)) {
      if (!Object.hasOwn(settingFields, key)) tell(`Left out "${key.slice(0, 60)}" of the saved settings: this version of TorchLab has no such setting.`)
    }
    const valid = Object.entries(settingFields).flatMap(([key, schema]) => {
      const parsed = readStored(schema, stored[key], [key])
      if (!parsed.ok) return []
      parsed.notes.forEach(tell)
      return [[key, parsed.value]]
    })
    return settingsSchema.parse(Object.fromEntries(valid))
  }
  return {
    read,
    /** changes only the keys the patch names */
    update(patch) {
      const given = Object.entries(patch).filter(([, value]) => value !== undefined)
      const next = settingsSchema.parse({ ...read(), ...Object.fromEntries(given) })
      backing.clear()
      backing.set(next as Record<string, unknown>)
      return next
    },
  }
}
