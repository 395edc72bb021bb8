import { LabError, type LabErrorInfo } from '../../src/shared/errors'

/** What a synchronous call refused with; any other throw, or none, fails the test. */
export function labErrorOf(fn: () => unknown): LabErrorInfo {
  try {
    fn()
  } catch (err) {
    if (err instanceof LabError) return err.info
    throw err
  }
  throw new Error('expected a LabError')
}
