/**
 * One request from any front door -> the LabService -> an Envelope. Arguments are validated by
 * the service; an answer too large for one message becomes a typed error, never a crash.
 */
import type { LabApi } from '../../shared/api'
import { toErrorInfo } from '../../shared/errors'
import { exceedsMessageSize, isLabMethod, kindOf, tooLargeError, type Envelope } from '../../shared/wire'

export async function dispatch(service: LabApi, method: unknown, args: unknown): Promise<Envelope<unknown>> {
  if (!isLabMethod(method)) {
    const message =
      method === undefined
        ? 'This request names no operation: give its "method", such as "getBackend".'
        : typeof method === 'string'
          ? `TorchLab has no operation "${method.slice(0, 60)}".`
          : `An operation is named by a string such as "getBackend", not by ${kindOf(method)}.`
    return { ok: false, error: { code: 'INVALID_ARGUMENT', message } }
  }
  if (!Array.isArray(args)) {
    return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `The arguments of ${method} must be a list.` } }
  }
  try {
    const call = service[method] as (...a: unknown[]) => Promise<unknown>
    const value = await call.apply(service, args)
    if (exceedsMessageSize(value)) return { ok: false, error: tooLargeError(`The answer to ${method}`) }
    return { ok: true, value }
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) }
  }
}
