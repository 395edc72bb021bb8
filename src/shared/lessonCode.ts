/**
 * A lesson's PyTorch code with the student's current settings written into it, so the code
 * beside the controls always says what the window would run. Pure: lines and settings in,
 * lines out, each marked when a setting changed it.
 */
import type { Lesson } from './learning'

export interface CodeSettings {
  lr: number
  epochs: number
  batchSize: number
  shuffle: boolean
  dropLast: boolean
}

export interface CodeLine {
  text: string
  changed: boolean
}

/** whether a lesson is stepped as the from-scratch loop (its first run) or as an nn.Module run */
export function lessonMode(lesson: Lesson): 'scratch' | 'module' {
  return lesson.runs[0].kind === 'scratch' ? 'scratch' : 'module'
}

const py = (v: boolean | number): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v))

/** [pattern, setting]: the first group keeps the name, the number after it becomes the setting */
const RULES: [RegExp, keyof CodeSettings][] = [
  [/(\blr\s*=\s*)[-+0-9.eE]+/g, 'lr'],
  [/(\b(?:LR|learning_rate|LEARNING_RATE)\s*=\s*)[-+0-9.eE]+/g, 'lr'],
  [/(\b(?:num_epochs|NUM_EPOCHS|EPOCHS|epochs)\s*=\s*)\d+/g, 'epochs'],
  [/(for epoch in range\()\d+/g, 'epochs'],
  // skorch's net: its epochs before the grid replaces them, as the search's are the Train panel's
  [/(\bmax_epochs\s*=\s*)\d+/g, 'epochs'],
  [/(\b(?:batch_size|BATCH_SIZE)\s*=\s*)\d+/g, 'batchSize'],
  [/(\bshuffle\s*=\s*)(?:True|False)/g, 'shuffle'],
  [/(\bdrop_last\s*=\s*)(?:True|False)/g, 'dropLast'],
]

export function lessonCode(code: readonly string[], settings: CodeSettings): CodeLine[] {
  return code.map((line) => {
    let text = line
    for (const [pattern, key] of RULES) text = text.replace(pattern, (_, name: string) => `${name}${py(settings[key])}`)
    // the lecture's DataLoader leaves shuffle at its default (False): name it once the student turns it on
    if (settings.shuffle && /DataLoader\(/.test(text) && !/shuffle\s*=/.test(text)) text = text.replace(/\)\s*$/, ', shuffle=True)')
    if (settings.dropLast && /DataLoader\(/.test(text) && !/drop_last\s*=/.test(text)) text = text.replace(/\)\s*$/, ', drop_last=True)')
    return { text, changed: text !== line }
  })
}
