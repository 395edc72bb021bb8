/**
 * Lesson files: read, checked against the lesson format (src/shared/learning.ts, documented in
 * docs/LESSONS.md), every problem reported with the line to fix. The bundled lessons live in
 * resources/lessons, one file per coding lecture, in the order their names sort.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { labError } from '../../../shared/errors'
import { issueText, studentSentences } from '../../../shared/issueSentence'
import { readTextFile } from '../files/openForReading'
import { lessonSchema, type Lesson, type LessonInfo } from '../../../shared/learning'
import { MAX_LESSON_BYTES, parseJsonWithLines } from './jsonLines'

/** Text -> a valid Lesson, or a LESSON_INVALID error naming the line of the first problem. */
export function parseLesson(text: string, source: string): Lesson {
  const located = parseJsonWithLines(text, source)
  const result = lessonSchema.safeParse(located.value, { error: studentSentences })
  if (result.success) return result.data
  const problems = result.error.issues.slice(0, 3).map((issue) => {
    // an unknown key (often a typo) is on its own line, not on its object's
    const line = located.lineOf(issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path)
    // the sentence ends once, after the last problem
    return { line, text: `line ${line}: ${issueText(issue).replace(/\.$/, '')}` }
  })
  const more = result.error.issues.length > problems.length ? ` (and ${result.error.issues.length - problems.length} more)` : ''
  const found = `${problems.map((p) => p.text).join('; ')}${more}`
  throw labError('LESSON_INVALID', `${source} is not a valid lesson. ${found}${found.endsWith('?') ? '' : '.'}`, { line: problems[0].line })
}

export async function readLessonFile(path: string): Promise<Lesson> {
  return parseLesson(await readTextFile(path, { missing: 'lesson file', kind: 'a lesson file' }, MAX_LESSON_BYTES), path)
}

export async function bundledLessons(dir: string): Promise<Lesson[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  return Promise.all(names.map((n) => readLessonFile(join(dir, n))))
}

export function lessonInfo(lesson: Lesson): LessonInfo {
  return { id: lesson.id, title: lesson.title, lecture: lesson.lecture }
}
