/** A pool worker: takes fit jobs one at a time and answers each with its result. */
import { parentPort } from 'node:worker_threads'
import { toErrorInfo } from '../../../shared/errors'
import { fit, type FitJob } from './fit'

const port = parentPort!
port.on('message', (job: FitJob) => {
  fit(job).then(
    (result) => port.postMessage({ result }),
    (err: unknown) => port.postMessage({ id: job.id, error: toErrorInfo(err) }),
  )
})
