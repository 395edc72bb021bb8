import { labError, type LabError } from '../../../shared/errors'

/** A .pth file that is damaged or not what it claims: the message says what and where. */
export function badFile(message: string, key?: string): LabError {
  return labError('CHECKPOINT_INVALID', message, key ? { key } : {})
}
