/**
 * Settings that outlive a session (last data set, model, hyperparameters, engine, pace and
 * search grid, window bounds, theme, recent files): electron-store inside Electron, conf (the
 * same store underneath) in plain Node. Each entry is checked on its own against the schema,
 * so a hand-edited or stale entry (say, a model saved by an older version) is dropped alone
 * and never takes the theme or the recent files with it; a key inside an entry that this
 * version no longer has is left out with a note, and the rest of the entry kept.
 */
import { copyFileSync, readFileSync } from 'node:fs'
import { labError, messageIn } from '../../shared/errors'
import { leftOutNote, readStored } from '../../shared/issueSentence'
import { settingFields, settingsSchema, type Settings, type SettingsPatch } from '../../shared/schemas'

export interface SettingsStore {
  read(): Settings
  update(patch: SettingsPatch): Settings
}

interface KeyValueStore {
  /** empty while the file is not JSON (clearInvalidConfig); set, it replaces the file in one atomic write */
  store: Record<string, unknown>
  readonly path: string
}

async function openBackingStore(cwd: string | undefined): Promise<KeyValueStore> {
  if (process.versions.electron && !cwd) {
    const { default: ElectronStore } = await import('electron-store')
    return new ElectronStore({ name: 'settings', clearInvalidConfig: true }) as unknown as KeyValueStore
  }
  const { default: Conf } = await import('conf')
  return new Conf({ projectName: 'torchlab', configName: 'settings', clearInvalidConfig: true, ...(cwd ? { cwd } : {}) }) as unknown as KeyValueStore
}

/** `note` hears, once each, what an older TorchLab saved that this one leaves out */
export async function openSettings(cwd: string | undefined, note: (sentence: string) => void): Promise<SettingsStore> {
  const told = new Set<string>()
  const tell = (sentence: string): void => {
    if (told.has(sentence)) return
    told.add(sentence)
    note(sentence)
  }
  let backing: KeyValueStore
  try {
    backing = await openBackingStore(cwd)
    keepUnreadable(backing, tell)
  } catch (err) {
    // a locked-down classroom account (a read-only home, a full disk) must still open the lab
    tell(`TorchLab cannot keep its settings on this machine (${messageIn(err)}); it will forget them when it closes.`)
    backing = memoryStore()
  }
  const read = (): Settings => {
    const stored = backing.store
    for (const key of Object.keys(stored)) {
      if (!Object.hasOwn(settingFields, key)) tell(leftOutNote(key, 'the saved settings'))
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
      try {
        backing.store = next
      } catch (err) {
        throw labError('FILE_UNWRITABLE', `TorchLab could not save its settings to ${backing.path} (${messageIn(err)}). Free some disk space, or check that the folder can be written to.`)
      }
      return next
    },
  }
}

/** what a file that is JSON holds when it is not an object of settings, or undefined when it is one */
function notAnObject(value: unknown): string | undefined {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? undefined : `a ${typeof value}`
}

/** the saved entries this version cannot use: a hand-edited type (theme: 42), or an entry an older TorchLab shaped otherwise */
function unusableEntries(stored: Record<string, unknown>): string[] {
  return Object.entries(settingFields).flatMap(([key, schema]) => (key in stored && !readStored(schema, stored[key], [key]).ok ? [key] : []))
}

/**
 * What the settings file holds that TorchLab cannot use is copied aside before the next change
 * overwrites it, for the student to recover by hand: a file cut short (a power cut, a full disk)
 * or edited into something that is not JSON, or into JSON that is not an object of settings,
 * which once stopped TorchLab from starting, and is now read as empty; and entries of the wrong
 * type, which are left out one by one, the rest kept.
 */
function keepUnreadable(backing: KeyValueStore, tell: (sentence: string) => void): void {
  let text: string
  try {
    text = readFileSync(backing.path, 'utf8')
  } catch {
    return // no file yet, or none to read: nothing to keep
  }
  let why: string | undefined
  let left: string[] = []
  try {
    const value: unknown = JSON.parse(text)
    const kind = notAnObject(value)
    if (kind) why = `it is JSON, but ${kind} where TorchLab keeps its settings by name`
    else left = unusableEntries(value as Record<string, unknown>)
  } catch (err) {
    why = messageIn(err)
  }
  if (why === undefined && left.length === 0) return
  // stamped, so a second unreadable file never replaces the copy of the first
  const kept = `${backing.path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`
  const what = why === undefined ? `The saved settings ${left.map((key) => `"${key}"`).join(', ')} (${backing.path}) were not of a kind this version of TorchLab can use` : `The saved settings (${backing.path}) were not readable (${why})`
  const outcome = why === undefined ? `and left ${left.length === 1 ? 'it' : 'them'} out` : 'and started from its defaults'
  try {
    copyFileSync(backing.path, kept)
    if (why !== undefined) backing.store = {}
    tell(`${what}; TorchLab kept a copy as ${kept} ${outcome}.`)
  } catch (copyErr) {
    tell(`${what} and could not be copied aside (${messageIn(copyErr)}); TorchLab ${why === undefined ? `left ${left.length === 1 ? 'it' : 'them'} out` : 'uses its defaults'}.`)
  }
}

function memoryStore(): KeyValueStore {
  let entries: Record<string, unknown> = {}
  return {
    path: '(memory)',
    get store() {
      return { ...entries }
    },
    set store(object) {
      entries = { ...object }
    },
  }
}
