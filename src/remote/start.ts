// Brings up the remote executors of a run from worker specs: connect all at once, fail or warn on the unreachable.
import { isTinyxError } from '../errors.js';
import type { JobSettings } from '../tester/executor.js';
import { distccEnv, distccJobs } from './distcc.js';
import { RemoteExecutor } from './executor.js';
import type { WorkerSpec } from './workers-file.js';

export interface StartWorkersOptions {
  /** 'fail' (default): an unreachable worker stops the run; 'warn': it is left out with a warning. */
  onUnreachable?: 'fail' | 'warn';
  warn?: (message: string) => void;
  connectTimeoutMs?: number;
  /** --distcc hosts for the workers' builds. */
  distcc?: string;
}

/** Connected executors, in the order of `workers`; the caller closes them (close()) when the run ends. */
export async function startRemoteExecutors(workers: WorkerSpec[], settings: JobSettings, options: StartWorkersOptions = {}): Promise<RemoteExecutor[]> {
  const executors = workers.map((w) => new RemoteExecutor(settings, {
    url: w.url, identity: w.identity, slots: w.slots, kernelSrc: w.kernelSrc, knownHosts: w.knownHosts, fingerprint: w.fingerprint,
    connectTimeoutMs: options.connectTimeoutMs,
    ...(options.distcc ? { buildEnv: distccEnv(options.distcc), buildJobs: distccJobs(options.distcc) } : {}),
  }));
  const started = await Promise.allSettled(executors.map((e) => e.start()));
  const up: RemoteExecutor[] = [];
  let failure: unknown;
  started.forEach((result, i) => {
    const executor = executors[i]!;
    if (result.status === 'fulfilled') return up.push(executor);
    // A refused host key is never downgraded to a warning.
    const soft = options.onUnreachable === 'warn' && isTinyxError(result.reason, 'TINYX_WORKER_UNREACHABLE');
    if (soft) options.warn?.(`worker ${executor.name} left out: ${(result.reason as Error).message}`);
    else failure ??= result.reason;
  });
  if (failure !== undefined) {
    await Promise.all(up.map((e) => e.close()));
    throw failure;
  }
  return up;
}
