// Errors of the remote layer: a worker lost mid-job is retryable elsewhere; everything else is not.
import { TinyxError } from '../errors.js';

/** The worker died or the connection dropped while a job ran: run the job somewhere else. */
export class WorkerLostError extends TinyxError {
  readonly retryable = true;

  constructor(readonly worker: string, detail: string, cause?: unknown) {
    super('TINYX_WORKER_UNREACHABLE', `Lost worker ${worker}: ${detail}.`, {
      advice: 'The job is re-queued on another executor when there is one; check the worker (tinyx worker check URL).',
      cause,
    });
    this.name = 'WorkerLostError';
  }
}

/** Whether a failed run() should be re-queued on another executor (the executor failed, not the job). */
export function isRetryable(error: unknown): boolean {
  return error instanceof WorkerLostError || (error instanceof TinyxError && error.code === 'TINYX_WORKER_UNREACHABLE');
}

export function unreachable(worker: string, detail: string, cause?: unknown): TinyxError {
  return new TinyxError('TINYX_WORKER_UNREACHABLE', `Cannot reach worker ${worker}: ${detail}.`, {
    advice: 'Check that the host is up, sshd listens on that port, and the key is in its authorized_keys (tinyx worker check URL).',
    cause,
  });
}
