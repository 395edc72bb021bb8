/**
 * The files a student uploaded in this window. In a browser the lab reads an upload from a
 * temporary copy whose path means nothing to the student (and is gone when the lab stops): the
 * window names an upload by its file's own name, and that name typed back into a path box finds
 * the copy again.
 */
import type { DroppedFile, LabHost } from '../../../shared/wire'

export class Uploads {
  /** temporary path → the file's own name, in the order they came */
  private readonly names = new Map<string, string>()

  constructor(private readonly host: LabHost) {}

  /** the path the lab reads `file` from, or null when it has none; rejects with the lab's sentence when the upload was refused */
  async pathOf(file: DroppedFile): Promise<string | null> {
    const path = await this.host.pathOfFile(file)
    // the desktop window hands over the file's own path, which the student knows already
    if (path && this.host.kind === 'browser') this.names.set(path, file.name)
    return path
  }

  isUpload(path: string): boolean {
    return this.names.has(path)
  }

  /** how the window writes a path: an upload by its file's name */
  shown(path: string): string {
    return this.names.get(path) ?? path
  }

  /** the path a path box's text means: the latest upload of that name, else the text itself */
  resolve(text: string): string {
    let found = text
    for (const [path, name] of this.names) if (name === text) found = path
    return found
  }
}
