/**
 * JSON with line numbers: checks the text as JSON.parse would and records the line where each
 * value starts, by its path, so a problem found later (by zod) can name the line a teacher
 * must fix. Lesson files are small; size and nesting are bounded before anything is walked.
 */
import { labError } from '../../../shared/errors'

export const MAX_LESSON_BYTES = 1_000_000
const MAX_DEPTH = 64

export type JsonPath = readonly PropertyKey[]

export interface LocatedJson {
  value: unknown
  /** the line of the value at a path, or of its nearest ancestor that exists */
  lineOf(path: JsonPath): number
}

class Locator {
  private pos = 0
  private line = 1
  readonly lines = new Map<string, number>()

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  fail(message: string): never {
    throw labError('LESSON_INVALID', `${this.source}, line ${this.line}: ${message}`, { line: this.line })
  }

  private space(): void {
    for (;;) {
      const c = this.text[this.pos]
      if (c === '\n') this.line++
      else if (c !== ' ' && c !== '\t' && c !== '\r') return
      this.pos++
    }
  }

  private expect(c: string, what: string): void {
    this.space()
    if (this.text[this.pos] !== c) this.fail(`expected ${what} but found ${this.found()}.`)
    this.pos++
  }

  private found(): string {
    const c = this.text[this.pos]
    return c === undefined ? 'the end of the file' : `"${c}"`
  }

  private string(): string {
    const start = this.pos
    this.pos++
    for (;;) {
      const c = this.text[this.pos]
      if (c === undefined || c === '\n') this.fail('a string is not closed with " before the end of the line.')
      if (c === '\\') this.pos += 2
      else if (c === '"') break
      else this.pos++
    }
    this.pos++
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string
    } catch {
      return this.fail(`the string ${this.text.slice(start, Math.min(this.pos, start + 40))} has a bad escape.`)
    }
  }

  value(path: PropertyKey[], depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`values are nested more than ${MAX_DEPTH} deep.`)
    this.space()
    this.lines.set(JSON.stringify(path), this.line)
    const c = this.text[this.pos]
    if (c === '{') {
      this.pos++
      this.space()
      if (this.text[this.pos] === '}') {
        this.pos++
        return
      }
      for (;;) {
        this.space()
        if (this.text[this.pos] !== '"') this.fail(`expected a "key" in double quotes but found ${this.found()}${this.text[this.pos] === '}' ? ' (a comma before } is not allowed in JSON)' : ''}.`)
        const key = this.string()
        this.expect(':', '":" after the key')
        this.value([...path, key], depth + 1)
        this.space()
        if (this.text[this.pos] === ',') {
          this.pos++
          continue
        }
        this.expect('}', '"," or "}"')
        return
      }
    }
    if (c === '[') {
      this.pos++
      this.space()
      if (this.text[this.pos] === ']') {
        this.pos++
        return
      }
      for (let i = 0; ; i++) {
        this.space()
        if (this.text[this.pos] === ']') this.fail('a comma before ] is not allowed in JSON.')
        this.value([...path, i], depth + 1)
        this.space()
        if (this.text[this.pos] === ',') {
          this.pos++
          continue
        }
        this.expect(']', '"," or "]"')
        return
      }
    }
    if (c === '"') {
      this.string()
      return
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.pos, this.pos + 64))
    if (!literal) this.fail(`expected a value (a number, "text", true, false, null, [ or {) but found ${this.found()}.`)
    this.pos += literal[0].length
  }

  end(): void {
    this.space()
    if (this.pos < this.text.length) this.fail(`unexpected ${this.found()} after the end of the JSON value.`)
  }
}

export function parseJsonWithLines(text: string, source: string): LocatedJson {
  if (text.length > MAX_LESSON_BYTES) throw labError('LESSON_INVALID', `${source} is larger than ${MAX_LESSON_BYTES / 1_000_000} MB; a lesson is a small text file.`)
  const locator = new Locator(text.replace(/^\uFEFF/, ''), source)
  locator.value([], 0)
  locator.end()
  const value: unknown = JSON.parse(text.replace(/^\uFEFF/, ''))
  return {
    value,
    lineOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const line = locator.lines.get(JSON.stringify(path.slice(0, n)))
        if (line !== undefined) return line
      }
      return 1
    },
  }
}
