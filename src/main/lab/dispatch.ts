/** One request from any front door -> the LabService -> an Envelope. Arguments are validated by the service. */
import type { LabApi } from '../../shared/api'
import { toErrorInfo } from '../../shared/errors'
import { isLabMethod, type Envelope } from '../../shared/wire'

export async function dispatch(service: LabApi, method: unknown, args: unknown): Promise<Envelope<unknown>> {
  if (!isLabMethod(method) || !Array.isArray(args)) {
    return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `TorchLab has no operation "${String(method)}".` } }
  }
  try {
    const call = service[method] as (...a: unknown[]) => Promise<unknown>
    return { ok: true, value: await call.apply(service, args) }
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) }
  }
}
